"""Time as a port: rules take the current instant as a parameter.

Certificates, deadlines and ages are counted in calendar days of
Asia/Shanghai (the whole country keeps Beijing time), so converting an instant
to a date always goes through :func:`local_date`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got naive {instant!r}")
    return instant


class Clock(Protocol):
    """Source of the current instant."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock, in Asia/Shanghai."""

    def now(self) -> datetime:
        """The current instant, aware, expressed in Asia/Shanghai."""
        return datetime.now(tz=SHANGHAI)


class FixedClock:
    """A clock that only moves when told to; for tests and replays.

    Raises ``ValueError`` when given a naive datetime.
    """

    def __init__(self, instant: datetime) -> None:
        self._instant = _require_aware(instant)

    def now(self) -> datetime:
        """The instant this clock was set to."""
        return self._instant

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by ``delta`` (may be negative) and return the new instant."""
        self._instant = self._instant + delta
        return self._instant

    def set(self, instant: datetime) -> None:
        """Jump to ``instant`` (must be aware)."""
        self._instant = _require_aware(instant)


def local_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant.

    Raises ``ValueError`` for a naive datetime: guessing its zone would shift
    dates by a day for eight hours of every day.
    """
    return _require_aware(instant).astimezone(SHANGHAI).date()


def start_of_day(d: date) -> datetime:
    """00:00 Asia/Shanghai at the start of ``d``, timezone-aware."""
    return datetime.combine(d, time.min, tzinfo=SHANGHAI)


def local_minutes(instant: datetime) -> str:
    """``YYYY-MM-DD HH:MM`` in Beijing time, as people in China read a timestamp."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
