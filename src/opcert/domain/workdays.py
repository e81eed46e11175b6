"""China's official working days (工作日), for statutory deadlines.

Within the years chinesecalendar has data for (2004 to 2026 in version 1.11),
its published holidays and adjusted working days (调休) are authoritative.
Outside them the State Council has not published the schedule yet (or
chinesecalendar predates it), so a provisional calendar is used: Monday to
Friday, minus the fixed-date statutory holidays of 《全国年节及纪念日放假办法》
as amended with effect from 2025 (1 January, 1-2 May, 1-3 October). It cannot
know the lunar holidays (Spring Festival, Qingming, Dragon Boat, Mid-Autumn)
or the weekend swaps, so a deadline that crosses such a date may come out a
few days early. Callers that show a deadline ask
:func:`calendar_is_authoritative` and label it provisional when it is not.
Upgrading chinesecalendar each December makes the provisional cases rare.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants

_FIRST_YEAR: int = min(constants.holidays).year
_LAST_YEAR: int = max(constants.holidays).year

_FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

_ONE_DAY = timedelta(days=1)


def calendar_is_authoritative(d: date) -> bool:
    """Whether the official holiday schedule for ``d``'s year is known."""
    return _FIRST_YEAR <= d.year <= _LAST_YEAR


@lru_cache(maxsize=8192)
def is_workday(d: date) -> bool:
    """Whether ``d`` is an official working day (adjusted weekend working days included)."""
    # Cached: chinese_calendar re-validates its whole table on every call, and deadlines are
    # computed for every application filed.
    if calendar_is_authoritative(d):
        return chinese_calendar.is_workday(d) is True
    return d.weekday() < 5 and (d.month, d.day) not in _FIXED_HOLIDAYS


def holiday_name(d: date) -> str | None:
    """Chinese name of the public holiday ``d`` is a day off for, e.g. 春节.

    ``None`` on working days (adjusted working days included) and on ordinary
    weekends.
    """
    if calendar_is_authoritative(d):
        on_holiday, english = chinese_calendar.get_holiday_detail(d)
        if not on_holiday or english is None:
            return None
        return str(constants.Holiday(english).chinese)
    return _FIXED_HOLIDAYS.get((d.month, d.day))


def add_workdays(start: date, n: int) -> date:
    """The ``n``-th working day strictly after ``start``.

    For ``n == 0``: ``start`` itself if it is a working day, else the next
    working day. Raises ``ValueError`` for negative ``n``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day = start
    if n == 0:
        while not is_workday(day):
            day += _ONE_DAY
        return day
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Number of working days in the half-open interval (start, end];
    negative, counting (end, start], when ``end`` is before ``start``."""
    if end < start:
        return -workdays_between(end, start)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        count += is_workday(day)
    return count


def is_provisional(start: date, end: date) -> bool:
    """Whether any day in [start, end] falls outside the authoritative calendar,
    i.e. whether a deadline computed over that span is provisional."""
    low, high = min(start, end), max(start, end)
    return not (calendar_is_authoritative(low) and calendar_is_authoritative(high))


def deadline_is_provisional(start: date, due: date) -> bool:
    """Whether a working-day deadline counted from ``start`` to ``due`` rests anywhere on the
    provisional calendar: the API then says ``provisional: true``, and the officer pages and the
    console print 暂定 beside it."""
    return is_provisional(start, due)


def last_calendar_year() -> int:
    """The last year whose official holiday schedule the installed calendar holds."""
    return _LAST_YEAR
