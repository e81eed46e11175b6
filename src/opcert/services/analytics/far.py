"""Candidates examined far from home (issue 16): a list for inspectors, not a signal.

One candidate sitting an exam two thousand kilometres from home is worth a look (an exam taken
for someone else, a certificate bought from a distant exam point), but it is not a statistical
surprise: among two million candidates a year some do cross the country, so no single one can
pass a false-discovery control. The exam point's share of candidates from other provinces is a
signal (``Kind.FAR``, tested against its peers); the individuals are listed here by a stated
rule, with the distance beside each, and an inspector judges them.

The rule: examined in another province whose capital is more than ``FAR_KM`` from the capital
of the candidate's home province (the division of the holder record), and which is not one of
the ``NEAR`` provinces whose capitals are nearest to home (a province has five neighbours on
average). 1,000 km is about a night on a train; the nearest-provinces clause keeps the far west
fair, where even the nearest capital is far (乌鲁木齐 to 西宁 1,442 km, 拉萨 to 成都 1,244 km).
Migrant workers examined where they work are the main cause of false alarms; the result record
carries no employer yet, so an inspector checks the employer before anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from opcert.domain.errors import FieldError
from opcert.domain.geography import CAPITALS, province_distance_km
from opcert.persistence.repositories.analytics import AwayExam
from opcert.services.kernel.context import ServiceContext

FAR_KM = 1000.0
NEAR = 4


@cache
def _near(home: str) -> frozenset[str]:
    others = [code for code in CAPITALS if code != home]
    others.sort(key=lambda code: province_distance_km(home, code) or 0.0)
    return frozenset(others[:NEAR])


@dataclass(frozen=True)
class FarExam:
    exam: AwayExam
    km: float


def far_exams(ctx: ServiceContext, start: date, end: date, min_km: float = FAR_KM) -> list[FarExam]:
    """Exams from ``start`` to ``end`` sat more than ``min_km`` from the candidate's home
    province and outside its nearest provinces, oldest first."""
    if end < start:
        raise FieldError(
            "to", "SPAN_REVERSED", "结束日期早于开始日期", "the end date is before the start date"
        )
    if not 0 < min_km < 10_000:
        raise FieldError(
            "km",
            "DISTANCE_OUT_OF_RANGE",
            "距离须在 0 与 10000 公里之间",
            "the distance must be between 0 and 10,000 km",
        )
    with ctx.uow() as uow:
        away = uow.analytics.away_exams(start, end)
    found = []
    for exam in away:
        km = province_distance_km(exam.home, exam.region)
        if km is not None and km > min_km and exam.region[:2] not in _near(exam.home[:2]):
            found.append(FarExam(exam, km))
    return found
