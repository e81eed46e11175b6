"""Confirmations of a grave act: the server shows a "check your answers" page and hands out a
one-off key bound to exactly what was shown; the act goes ahead only with that key.

The key is random (128+ bits) and only its digest is kept, in the shared session store
(``ctx.sessions``: the database or Redis), so any app process can check it. What it is bound
to: the officer, the kind of act, the object and every answer shown (the reason, the failed
checks, the ground). A key shown to another officer, for another application or certificate,
after a field changed, or after its lifetime, is refused. A replay after the act finds the
object moved on (an application no longer in review, a certificate already revoked) and is
refused by the act itself.
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from opcert.domain.errors import FieldError
from opcert.domain.sessions import KeptFile
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.kernel.session_store import digest

LIFETIME = timedelta(minutes=30)
FIELD = "confirmation"


def _owner(officer: OfficerPrincipal) -> str:
    # by id, not username: the store's owner column is 64 characters, a username may be 64 too
    return f"officer:{officer.id}"


def _bound(officer: OfficerPrincipal, act: str, answers: dict[str, Any]) -> bytes:
    body = {"officer": officer.id, "act": act, "answers": answers}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def issue(ctx: ServiceContext, officer: OfficerPrincipal, act: str, answers: dict[str, Any]) -> str:
    """Keep a confirmation of ``act`` with ``answers`` for ``officer``; the key the page holds."""
    key = secrets.token_urlsafe(24)
    now = ctx.now()
    record = KeptFile(
        digest(key), _owner(officer), _bound(officer, act, answers), now, now + LIFETIME
    )
    ctx.sessions.keep_file(record)
    return key


def require(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    act: str,
    answers: dict[str, Any],
    key: str | None,
) -> None:
    """Raise ``FieldError`` on ``confirmation`` unless ``key`` confirms exactly ``answers`` of
    ``act`` for ``officer`` and has not expired (``CONFIRMATION_REQUIRED`` without a key,
    ``CONFIRMATION_INVALID`` for any other key)."""
    if not (key or "").strip():
        raise FieldError(
            FIELD,
            "CONFIRMATION_REQUIRED",
            "请先在核对页面确认后再提交",
            "confirm on the check-your-answers page first",
        )
    record = ctx.sessions.kept_file(digest(key or ""))
    shown = _bound(officer, act, answers)
    if (
        record is None
        or not record.open_to(_owner(officer), ctx.now())
        or not hmac.compare_digest(record.data, shown)
    ):
        raise FieldError(
            FIELD,
            "CONFIRMATION_INVALID",
            "确认已失效或与所核对的内容不一致（内容有改动、已超过 30 分钟或不是本人的确认），请重新核对",
            "the confirmation expired or does not match what was checked (a field changed, over "
            "30 minutes passed, or it is not yours); check your answers again",
        )
