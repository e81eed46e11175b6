"""Working age: at least 18, and not past the statutory retirement age.

The retirement age follows the NPC Standing Committee decision of 2024-09-13
on gradually raising it (in force 2025-01-01; domain-reference Addendum A).
From the first affected birth month, the old age grows by one month for every
``step`` months of birth, up to the new age:

=========  =======  =======  ====  ===================
group      old age  new age  step  first affected birth
=========  =======  =======  ====  ===================
MALE_60    60       63       4     1965-01
FEMALE_55  55       58       4     1970-01
FEMALE_50  50       55       2     1975-01
=========  =======  =======  ====  ===================

So a man born in 1965-01..04 retires at 60 years 1 month, 1965-05..08 at
60 years 2 months, and from 1976-09 at 63. The group is a recorded fact about
a person; :func:`default_group` only supplies the usual default.

Two date conventions, each chosen to keep people out of special operations
rather than let them in a day early: a person born on 29 February turns a year
older on 1 March in common years (:func:`age_on`), but reaches retirement on
28 February (month-end clamping, as every period in this package).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opcert.domain.identity import Sex
from opcert.domain.periods import add_months

MINIMUM_WORKING_AGE = 18


class RetirementGroup(StrEnum):
    """Which statutory retirement age applies to a person."""

    MALE_60 = "male_60"
    FEMALE_55 = "female_55"
    FEMALE_50 = "female_50"


@dataclass(frozen=True)
class _Schedule:
    old_age: int
    new_age: int
    step_months: int
    first_affected: date


_SCHEDULES: dict[RetirementGroup, _Schedule] = {
    RetirementGroup.MALE_60: _Schedule(60, 63, 4, date(1965, 1, 1)),
    RetirementGroup.FEMALE_55: _Schedule(55, 58, 4, date(1970, 1, 1)),
    RetirementGroup.FEMALE_50: _Schedule(50, 55, 2, date(1975, 1, 1)),
}


def default_group(sex: Sex, certificate_type: str = "SO") -> RetirementGroup:
    """The usual group: men 60; women holding a special operation certificate
    (``SO``) are workers (50); women holding the safety management certificate
    (``SM``) are principals or managers (55).

    Raises ``ValueError`` for a certificate type other than SO or SM.
    """
    if certificate_type not in ("SO", "SM"):
        raise ValueError(f"unknown certificate type {certificate_type!r}")
    if sex is Sex.MALE:
        return RetirementGroup.MALE_60
    return RetirementGroup.FEMALE_55 if certificate_type == "SM" else RetirementGroup.FEMALE_50


def retirement_age_months(birth_date: date, group: RetirementGroup) -> int:
    """The statutory retirement age, in months, of a person born on ``birth_date``."""
    schedule = _SCHEDULES[group]
    old = schedule.old_age * 12
    first = schedule.first_affected
    months_after = (birth_date.year - first.year) * 12 + (birth_date.month - first.month)
    if months_after < 0:
        return old
    delay = months_after // schedule.step_months + 1
    return min(old + delay, schedule.new_age * 12)


def retirement_date(birth_date: date, group: RetirementGroup) -> date:
    """The day the person reaches the statutory retirement age: the birth date
    plus that many years and months, clamped to the end of a shorter month."""
    return add_months(birth_date, retirement_age_months(birth_date, group))


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age on ``on``.

    A 29 February birthday is reached on 1 March in common years. Raises
    ``ValueError`` when ``on`` is before ``birth_date``.
    """
    if on < birth_date:
        raise ValueError(f"{on.isoformat()} is before the birth date {birth_date.isoformat()}")
    years = on.year - birth_date.year
    # Comparing (month, day) tuples counts 29 Feb as not yet reached on 28 Feb.
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class AgeCheck:
    """Whether a person is of working age on a date, with a message."""

    ok: bool
    code: str
    message_zh: str
    message_en: str


def check_working_age(
    birth_date: date,
    sex: Sex,
    on: date,
    group: RetirementGroup | None = None,
    certificate_type: str = "SO",
) -> AgeCheck:
    """``AGE_OK``, ``AGE_UNDER_18`` (18th birthday after ``on``) or
    ``AGE_ABOVE_RETIREMENT`` (retirement date on or before ``on``).

    ``group`` defaults to :func:`default_group` of ``sex`` and
    ``certificate_type``. The messages name the dates involved.
    """
    if on < birth_date or age_on(birth_date, on) < MINIMUM_WORKING_AGE:
        adult_on = _eighteenth_birthday(birth_date)
        return AgeCheck(
            False,
            "AGE_UNDER_18",
            f"未满18周岁：{adult_on.isoformat()} 年满18周岁后方可申请。",
            f"Under 18: may apply from {adult_on.isoformat()}, the 18th birthday.",
        )
    chosen = group if group is not None else default_group(sex, certificate_type)
    retires = retirement_date(birth_date, chosen)
    if retires <= on:
        return AgeCheck(
            False,
            "AGE_ABOVE_RETIREMENT",
            f"已于 {retires.isoformat()} 达到法定退休年龄，不符合申请条件。",
            f"Reached the statutory retirement age on {retires.isoformat()}; not eligible.",
        )
    return AgeCheck(
        True,
        "AGE_OK",
        f"符合年龄条件（法定退休日期 {retires.isoformat()}）。",
        f"Of working age (statutory retirement on {retires.isoformat()}).",
    )


def _eighteenth_birthday(birth_date: date) -> date:
    """The first day on which :func:`age_on` gives 18."""
    try:
        return birth_date.replace(year=birth_date.year + MINIMUM_WORKING_AGE)
    except ValueError:  # 29 February into a common year
        return date(birth_date.year + MINIMUM_WORKING_AGE, 3, 1)
