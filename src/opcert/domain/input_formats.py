"""How a date and a score may be written on input: strictly, so that what was meant is what is
stored.

A date is ``YYYY-MM-DD``; ``YYYY/MM/DD``, ``YYYY.MM.DD`` and ``YYYY年MM月DD日`` (what Excel and
people write) are read the same, with one or two digits for the month and day, full-width digits
as ASCII ones, and nothing before or after but surrounding spaces. A score is a JSON number, or
ASCII digits with at most one decimal point: no sign, exponent, underscore (``int("8_6") == 86``
in Python), inner space, full-width or other script digits, and no booleans.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from opcert.domain.errors import FieldError

DATE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})", re.ASCII)
CHINESE_DATE = re.compile(r"([0-9]{4}) ?年 ?([0-9]{1,2}) ?月 ?([0-9]{1,2}) ?日", re.ASCII)
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
SCORE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?", re.ASCII)


def parse_date(value: object, field: str) -> date:
    """The date written in ``value`` (a ``date``, or text as above); raises ``FieldError``
    ``DATE_FORMAT`` on ``field``, or ``REQUIRED`` when empty."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, "REQUIRED", "请填写日期", "the date is required")
    text = value.strip().translate(FULL_WIDTH_DIGITS)
    found = DATE.fullmatch(text)
    chinese = CHINESE_DATE.fullmatch(text) if found is None else None
    parts = (found[1], found[3], found[4]) if found else chinese.groups() if chinese else None
    if parts is not None:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            shown = value.strip()[:40]
            raise FieldError(
                field,
                "DATE_FORMAT",
                f"「{shown}」不是日历上存在的日期",
                f"{shown!r} is not a real calendar date",
            ) from None
    shown = value.strip()[:40]
    raise FieldError(
        field,
        "DATE_FORMAT",
        f"「{shown}」不是有效日期，格式应为 YYYY-MM-DD（也可写作 YYYY/MM/DD、YYYY.MM.DD 或 "
        "YYYY年MM月DD日）",
        f"{shown!r} is not a valid date; use YYYY-MM-DD (or YYYY/MM/DD, YYYY.MM.DD)",
    )


def parse_score(value: object, field: str, *, required: bool) -> float | None:
    """A score from 0 to 100; ``None`` when empty and not ``required``. Raises ``FieldError``:
    ``REQUIRED``, ``SCORE_NOT_NUMBER`` or ``SCORE_OUT_OF_RANGE``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(field, "REQUIRED", "请填写分数", "the score is required")
        return None
    score = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        score = float(value) if abs(value) < 1e6 else math.inf
    elif isinstance(value, str) and SCORE.fullmatch(value.strip()):
        score = float(value.strip())
    if math.isnan(score):
        shown = value.strip()[:20] if isinstance(value, str) else type(value).__name__
        raise FieldError(
            field,
            "SCORE_NOT_NUMBER",
            f"分数「{shown}」不是数字",
            f"score {shown!r} is not a number",
        )
    if not 0 <= score <= 100:
        raise FieldError(
            field,
            "SCORE_OUT_OF_RANGE",
            f"分数 {value} 超出 0 到 100 的范围",
            f"score {value} is outside 0 to 100",
        )
    return score
