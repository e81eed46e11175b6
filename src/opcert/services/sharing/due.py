"""The scheduled expiry events (``opcert events due``): ``expiring`` 90 and 30 days before a
certificate's validity ends, and ``expired`` once it has ended.

Idempotent per certificate and validity end: each event's dedupe key names the certificate, the
kind and the end date, so running the job twice a day, or a day late, writes each event once
(a late run catches up on every certificate inside the window, not only those on the exact day);
a renewal moves the end date and starts a new cycle. ``expired`` looks back ``EXPIRED_LOOKBACK``
days only, so the first run does not announce ten years of old expiries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from opcert.persistence.models import Certificate
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing.events import NewEvent, certificate_event, emit

NOTICES = (90, 30)  # days before the validity ends
EXPIRED_LOOKBACK = 30
CHUNK = 1000


@dataclass
class DueCounts:
    expiring_90: int = 0
    expiring_30: int = 0
    expired: int = 0
    seen: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _wanted(row: Certificate, today: date) -> list[tuple[str, str]]:
    """(event, dedupe key) owed for ``row`` on ``today``: at most one, the latest stage."""
    left = (row.valid_to - today).days
    if left < 0:
        return [("expired", f"expired:{row.id}:{row.valid_to.isoformat()}")]
    for days in sorted(NOTICES):
        if left <= days:
            return [("expiring", f"expiring{days}:{row.id}:{row.valid_to.isoformat()}")]
    return []


def run_due(ctx: ServiceContext, today: date | None = None) -> DueCounts:
    """Write the expiry events owed on ``today`` (default: the clock's day), in chunks of
    ``CHUNK`` certificates, one transaction each."""
    day = today or ctx.today()
    start, end = day - timedelta(days=EXPIRED_LOOKBACK), day + timedelta(days=max(NOTICES))
    counts = DueCounts()
    after = 0
    while True:
        with ctx.uow() as uow:
            uow.begin_write()
            rows = uow.sharing.valid_to_between(start, end, after, CHUNK)
            if not rows:
                break
            after = rows[-1].id
            owed = [(row, kind, key) for row in rows for kind, key in _wanted(row, day)]
            seen = uow.sharing.seen_dedupe_keys(key for _, _, key in owed)
            now = ctx.now()
            events: list[NewEvent] = [
                certificate_event(row, kind, day, now, dedupe_key=key)
                for row, kind, key in owed
                if key not in seen
            ]
            emit(uow, events)
            uow.commit()
        counts.seen += len(rows)
        for event in events:
            stage = event.dedupe_key.split(":", 1)[0] if event.dedupe_key else event.type
            counts.by_kind[stage] = counts.by_kind.get(stage, 0) + 1
    counts.expiring_90 = counts.by_kind.get("expiring90", 0)
    counts.expiring_30 = counts.by_kind.get("expiring30", 0)
    counts.expired = counts.by_kind.get("expired", 0)
    return counts
