"""Files kept between two requests of one owner, e.g. the error sheet of an upload, which the
upload page links to and the browser downloads next.

They live in the shared session store (``ctx.sessions``: the database or Redis), not in the
memory of the process that made them, so any app process answers the download. The key is
random and only its digest is stored; a file opens only to its owner and only until it expires.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from opcert.domain.sessions import KeptFile
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.session_store import digest

LIFETIME = timedelta(hours=1)


def keep(ctx: ServiceContext, owner: str, data: bytes) -> str:
    """Keep ``data`` for ``owner``; the key that fetches it."""
    key = secrets.token_urlsafe(24)
    now = ctx.now()
    ctx.sessions.keep_file(KeptFile(digest(key), owner, data, now, now + LIFETIME))
    return key


def fetch(ctx: ServiceContext, owner: str, key: str) -> bytes | None:
    """The file kept under ``key`` for ``owner``; None when unknown, expired or someone else's."""
    record = ctx.sessions.kept_file(digest(key or ""))
    return record.data if record is not None and record.open_to(owner, ctx.now()) else None
