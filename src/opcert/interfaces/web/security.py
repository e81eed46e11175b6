"""Form protections: CSRF (double-submit cookie) and a one-time image captcha.

Rate limits are not here: they are the shared abuse policy (``opcert.services.abuse``), applied
through ``opcert.interfaces.throttle``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

CSRF_COOKIE = "opcert_csrf"
CSRF_FIELD = "csrf_token"
CAPTCHA_LIFETIME = 600
# No 0/O, 1/I/L, Q, Z (a tilted Z reads as 7 or 2): characters read one way; case-blind.
CAPTCHA_ALPHABET = "23456789ABCDEFGHJKMNPRSTUVWXY"
CAPTCHA_LENGTH = 5
CAPTCHA_KIND = "captcha"


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Captcha:
    token: str

    @property
    def image_url(self) -> str:
        return f"/captcha/{self.token}.png"


class CaptchaBook:
    """One-time image captchas that any process can check.

    A token is ``expires.nonce.mac``: a random nonce and an expiry, authenticated with the
    captcha key (``OPCERT_CAPTCHA_SECRET``, a key of its own: a token says nothing about any
    other secret). The answer is derived from the token with the same key, so issuing a captcha
    stores nothing and the page carries no answer, only the token and an image URL. ``check``
    consumes the token through ``consume_once`` (Redis ``SET NX EX`` when shared), right answer
    or wrong, so each token is tried once, on one process.
    """

    def __init__(
        self,
        secret: bytes,
        consume_once: Callable[[str, str, int], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._consume_once = consume_once
        self._clock = clock

    def _mac(self, purpose: bytes, body: str) -> bytes:
        return hmac.new(
            self._secret, b"opcert-captcha:" + purpose + b":" + body.encode(), hashlib.sha256
        ).digest()

    def new(self) -> Captcha:
        expires = int(self._clock()) + CAPTCHA_LIFETIME
        body = f"{expires}.{secrets.token_urlsafe(12)}"
        mac = base64.urlsafe_b64encode(self._mac(b"token", body)[:16]).rstrip(b"=").decode()
        return Captcha(f"{body}.{mac}")

    def _body(self, token: str) -> str | None:
        """The token's body when it is authentic and in date, else None."""
        body, _, mac = token.rpartition(".")
        expires_text = body.partition(".")[0]
        if not expires_text.isdigit() or len(token) > 200:
            return None
        now = self._clock()
        if not now <= int(expires_text) <= now + CAPTCHA_LIFETIME:
            return None
        expected = base64.urlsafe_b64encode(self._mac(b"token", body)[:16]).rstrip(b"=").decode()
        return body if hmac.compare_digest(mac.encode(), expected.encode()) else None

    def solution(self, token: str) -> str | None:
        """The characters the image of ``token`` shows, or None for a forged or stale token.
        The pages never show it; ``check`` and the image use it, and tests that know the key."""
        body = self._body(token)
        if body is None:
            return None
        number = int.from_bytes(self._mac(b"answer", body), "big")
        chars = []
        for _ in range(CAPTCHA_LENGTH):
            number, index = divmod(number, len(CAPTCHA_ALPHABET))
            chars.append(CAPTCHA_ALPHABET[index])
        return "".join(chars)

    def drawing_seed(self, token: str) -> bytes:
        """The noise of the token's image: the same image every time it is fetched, so
        fetching it again gives nothing to average away."""
        return self._mac(b"noise", token)

    def check(self, token: str, answer: str) -> bool:
        """True once per token, for the right answer (case and spaces ignored) before expiry."""
        expected = self.solution(token)
        if expected is None:
            return False
        remaining = int(token.partition(".")[0]) - int(self._clock()) + 1
        if not self._consume_once(CAPTCHA_KIND, token, remaining):
            return False
        given = "".join(answer.split()).upper()
        return hmac.compare_digest(given.encode(), expected.encode())
