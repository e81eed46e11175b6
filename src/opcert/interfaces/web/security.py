"""Form protections: CSRF (double-submit cookie), an arithmetic captcha, a per-IP token bucket.

The rate limit is in-process: each app process keeps its own buckets, so with N processes a
client gets at most N times the rate. That bounds scraping of the public query well enough; a
shared limiter (at the proxy) is the tool for a strict national limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field

CSRF_COOKIE = "opcert_csrf"
CSRF_FIELD = "csrf_token"
CAPTCHA_LIFETIME = 600


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(cookie: str | None, submitted: str | None) -> bool:
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


@dataclass(frozen=True)
class Captcha:
    question: str
    token: str


class CaptchaBook:
    """Stateless: the token signs the answer and an expiry, so any process can check it."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _sign(self, answer: int, expires: int, nonce: str) -> str:
        text = f"{answer}:{expires}:{nonce}".encode()
        return hmac.new(self.secret, text, hashlib.sha256).hexdigest()[:32]

    def new(self, now: float | None = None) -> Captcha:
        a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
        expires = int((now or time.time()) + CAPTCHA_LIFETIME)
        nonce = secrets.token_hex(4)
        return Captcha(f"{a} + {b}", f"{expires}.{nonce}.{self._sign(a + b, expires, nonce)}")

    def check(self, token: str, answer: str, now: float | None = None) -> bool:
        try:
            expires_text, nonce, signature = token.split(".")
            expires, given = int(expires_text), int(answer.strip())
        except ValueError:
            return False
        if expires < (now or time.time()):
            return False
        return hmac.compare_digest(signature, self._sign(given, expires, nonce))


@dataclass
class TokenBucket:
    """``rate`` requests per minute per key, bursts up to ``rate``; the oldest keys are dropped
    beyond ``max_keys`` so memory stays bounded."""

    rate: int
    max_keys: int = 100_000
    buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.pop(key, (float(self.rate), now))
        tokens = min(float(self.rate), tokens + (now - last) * self.rate / 60.0)
        allowed = tokens >= 1.0
        self.buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self.buckets) > self.max_keys:
            self.buckets.popitem(last=False)
        return allowed
