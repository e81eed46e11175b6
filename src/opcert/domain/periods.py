"""Periods of years and months on the calendar.

Convention (credential spec section 3, the one of Chinese identity
documents): a period of N years that starts on a date ends on the same month
and day N years later, and that end date is inclusive. When the target month
has no such day (29 February in a common year, 31 April), the period ends on
the last day of the month, as the Civil Code (民法典 Art. 202) counts periods
given in years and months.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier, if negative),
    clamped to the last day of the target month.

    Raises ``OverflowError`` when the result falls outside years 1..9999.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError(f"{d.isoformat()} plus {months} months is out of range")
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def add_years(d: date, years: int) -> date:
    """The same month and day ``years`` later; 29 February becomes 28 February
    in a common year.

    Raises ``OverflowError`` when the result falls outside years 1..9999.
    """
    return add_months(d, years * 12)
