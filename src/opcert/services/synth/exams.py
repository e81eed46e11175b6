"""Exam institutions, exam points and exam attempts: ten years of sessions with real pass rates.

Every province has one exam institution and a number of exam points in proportion to its
population. A candidate sits the exam at a point of their home province, fails some attempts
(the pass rate of their province and year) and passes the last; the pass mark is 80.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from opcert.domain.catalogue import catalogue
from opcert.services.synth.geography import PROVINCES, counties

PASS_MARK = 80
YEARS = 10
# Exams per year grow by about this factor (more trades certified every year).
GROWTH = 1.04

# Electrical (1.x) and welding (2.x) work dominate demand; every other item has a small share.
ITEM_WEIGHTS: dict[str, float] = {
    "1.1": 12, "1.2": 30, "1.3": 3, "2.1": 25, "2.2": 2, "2.3": 1.5, "3.1": 6, "3.2": 5,
    "4.1": 4, "4.2": 2, "8.1": 1.5, "9.16": 2, "5.4": 1, "6.8": 1,
}  # fmt: skip
_TAIL_WEIGHT = 0.1


@dataclass(frozen=True, slots=True)
class Site:
    """An exam point as the generator sees it."""

    id: int
    code: str
    institution_id: int
    province: str
    region: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Attempt:
    exam_on: date
    theory: int
    practical: int
    passed: bool


def items() -> tuple[list[str], list[float]]:
    """Item codes of the current catalogue and their demand weights."""
    codes = [item.code for item in catalogue().items]
    return codes, [ITEM_WEIGHTS.get(code, _TAIL_WEIGHT) for code in codes]


def point_count(population: float) -> int:
    """Exam points of a province: one per 8 million people, at least three."""
    return max(3, round(population / 8))


def plan_sites(rng: random.Random, first_institution: int, first_point: int) -> list[Site]:
    """Every exam point of the country, with ids counted from the given first ids."""
    sites: list[Site] = []
    for number, province in enumerate(PROVINCES):
        for _ in range(point_count(province.population)):
            sites.append(
                Site(
                    id=first_point + len(sites),
                    code=f"SYN-EP-{province.code}-{len(sites) + 1:04d}",
                    institution_id=first_institution + number,
                    province=province.code,
                    region=rng.choice(counties(province.code)),
                    lat=round(province.lat + rng.uniform(-1.5, 1.5), 4),
                    lon=round(province.lon + rng.uniform(-1.5, 1.5), 4),
                )
            )
    return sites


def exam_day(rng: random.Random, today: date) -> date:
    """A weekday in the ten years before ``today``, later years a little busier."""
    span = YEARS * 365
    # Inverse of a density growing geometrically by GROWTH a year.
    rate = span / 365 * (GROWTH - 1)
    offset = int(span * _inverse_growth(rng.random(), rate))
    day = today - timedelta(days=span - offset)
    return day - timedelta(days=max(0, day.weekday() - 4))


def _inverse_growth(u: float, rate: float) -> float:
    return ((1 + rate) ** u - 1) / rate if rate > 0 else u


def attempts(rng: random.Random, rate: float, passed_on: date, bunched: bool) -> list[Attempt]:
    """The attempts ending in a pass on ``passed_on``: failures first, at most two, a month apart."""
    failures = 0
    while failures < 2 and rng.random() > rate:
        failures += 1
    history = [
        _failed(rng, passed_on - timedelta(days=35 * (failures - n))) for n in range(failures)
    ]
    return [*history, _passed(rng, passed_on, bunched)]


def _passed(rng: random.Random, on: date, bunched: bool) -> Attempt:
    if bunched:  # scores piled just above the line: the signature of score manipulation
        return Attempt(on, PASS_MARK + rng.randint(0, 2), PASS_MARK + rng.randint(0, 2), True)
    theory = min(100, PASS_MARK + round(abs(rng.gauss(0, 8))))
    practical = min(100, PASS_MARK + round(abs(rng.gauss(0, 9))))
    return Attempt(on, theory, practical, True)


def _failed(rng: random.Random, on: date) -> Attempt:
    theory = round(rng.triangular(35, PASS_MARK - 1, 72))
    if rng.random() < 0.6:  # most fail the theory; the others pass it and fail the practical
        return Attempt(on, theory, 0, False)
    practical = round(rng.triangular(40, PASS_MARK - 1, 74))
    return Attempt(on, PASS_MARK + rng.randint(0, 15), practical, False)
