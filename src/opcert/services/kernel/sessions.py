"""Sessions that end: made at login, refused once revoked or expired, revoked at logout, at a
password change and by an administrator; every revocation is in the ledger.

The caller gets a random token (256 bits) once; the store keeps its SHA-256 digest. Revocation
happens in the store first and is then written to the ledger, so a failure between the two leaves
the session ended (the safe side) rather than a ledger entry for a session still open.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from opcert.domain.errors import Unauthorized
from opcert.domain.sessions import SessionKind, SessionRecord
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.session_store import SessionStore, digest


def store_of(ctx: ServiceContext) -> SessionStore:
    if ctx.sessions is None:
        raise RuntimeError("no session store is wired: build the platform with opcert.bootstrap")
    return ctx.sessions


def start(
    ctx: ServiceContext,
    kind: SessionKind,
    subject: str,
    hours: float,
    data: dict[str, str] | None = None,
) -> str:
    """A new session of ``kind`` for ``subject``, valid ``hours`` from now; returns its token."""
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    store_of(ctx).add_session(
        SessionRecord(
            token_hash=digest(token),
            kind=kind,
            subject=subject,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            data=dict(data or {}),
        )
    )
    return token


def current(ctx: ServiceContext, kind: SessionKind, token: str | None) -> SessionRecord | None:
    """The live session of ``kind`` named by ``token``; None when missing, unknown, of another
    kind, expired or revoked."""
    if not token or len(token) > 200:
        return None
    record = store_of(ctx).session(digest(token.strip()))
    if record is None or record.kind != kind or not record.live(ctx.now()):
        return None
    return record


def require(ctx: ServiceContext, kind: SessionKind, token: str | None) -> SessionRecord:
    """Like ``current``, but raises ``Unauthorized`` naming the Authorization header."""
    if not token:
        raise Unauthorized("TOKEN_MISSING", "请先登录", "please log in", field="Authorization")
    record = current(ctx, kind, token)
    if record is None:
        raise Unauthorized(
            "TOKEN_INVALID",
            "登录已失效，请重新登录",
            "the session has ended or expired; log in again",
            field="Authorization",
        )
    return record


def end(ctx: ServiceContext, kind: SessionKind, token: str | None, actor: str) -> bool:
    """Logout: revoke the session named by ``token`` (if it is one of ``kind``) and record it.
    False when there was no open session to end."""
    record = current(ctx, kind, token)
    if record is None or token is None:
        return False
    now = ctx.now()
    ended = store_of(ctx).revoke_session(record.token_hash, now)
    if ended is None:
        return False
    _record(ctx, actor, "session.logout", kind, record.subject, {"sessions": 1})
    return True


def revoke_all(
    ctx: ServiceContext, kind: SessionKind, subject: str, actor: str, reason: str
) -> int:
    """Revoke every open session of one party (password change, administrator); returns how
    many were open. Recorded in the ledger even when none was, so the act itself is on record."""
    count = store_of(ctx).revoke_subject(kind, subject, ctx.now())
    _record(ctx, actor, "session.revoked", kind, subject, {"sessions": count, "reason": reason})
    return count


def _record(
    ctx: ServiceContext,
    actor: str,
    event: str,
    kind: SessionKind,
    subject: str,
    data: dict[str, object],
) -> None:
    with ctx.uow() as uow:
        uow.begin_write()
        ledger.append(
            uow,
            [ledger.LedgerEvent(ctx.now(), actor, event, f"{kind.value}:{subject}", dict(data))],
        )
        uow.commit()
