"""Text-message codes: how they are stored and checked, one rule for the holder's login and the
holder's change of phone.

A code is kept only as a hash bound to its challenge, lives five minutes, and allows five tries,
counted atomically in the shared store so that parallel guesses from several processes all count.

A new code (重新发送) may be asked for ``RESEND_INTERVAL`` after the last one was sent; it comes
with a new challenge and the old one is used up, so the old code stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from opcert.domain.errors import Conflict, Unauthorized
from opcert.domain.sessions import ChallengeRecord
from opcert.services.kernel.session_store import SessionStore

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)


class ResendTooSoon(Conflict):
    """A new code was asked for before ``RESEND_INTERVAL`` passed; ``wait`` whole seconds left."""

    def __init__(self, wait: int) -> None:
        super().__init__(
            "RESEND_TOO_SOON",
            f"验证码刚刚发送，请 {wait} 秒后再重新发送",
            f"a code was just sent: ask again in {wait} s",
            field="resend",
        )
        self.wait = wait


def resend_wait(record: ChallengeRecord | None, now: datetime) -> int:
    """Whole seconds until a new code may be sent for ``record`` (0: now)."""
    if record is None:
        return 0
    left = (record.created_at + RESEND_INTERVAL - now).total_seconds()
    return max(0, int(-(-left // 1)))


def require_resend_allowed(record: ChallengeRecord, now: datetime) -> None:
    wait = resend_wait(record, now)
    if wait:
        raise ResendTooSoon(wait)


def code_hash(id_hash: str, code: str) -> str:
    return hashlib.sha256(f"{id_hash}:{code}".encode()).hexdigest()


def check(
    store: SessionStore,
    id_hash: str,
    record: ChallengeRecord | None,
    code: str | None,
    now: datetime,
    expired: Unauthorized,
) -> ChallengeRecord:
    """The open ``record`` whose code ``code`` is. Raises ``expired`` for a missing, closed, timed
    out or too often tried challenge, and ``Unauthorized`` (``CODE_WRONG``) for a wrong code."""
    if (
        record is None
        or not record.open(now)
        or now >= record.created_at + CODE_LIFETIME
        or record.attempts >= MAX_ATTEMPTS
    ):
        raise expired
    if store.count_attempt(id_hash) > MAX_ATTEMPTS:
        raise expired
    if not hmac.compare_digest(record.code_hash, code_hash(id_hash, (code or "").strip())):
        raise Unauthorized("CODE_WRONG", "验证码不正确", "wrong code", field="code")
    return record
