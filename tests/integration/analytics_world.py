"""A small exam-data world for the analytics pages: sixteen exam points of four institutions in
four provinces, four closed months of results through the intake pipeline, and one exam point whose
last month is too good (every candidate passed, theory scores all at 80 or 81). Then a run.

Scores come from a seeded generator, so the world is the same every time. The provinces are
none of the other journeys' (Guangdong, Chongqing), and the names and phones are the world's own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from opcert.services.analytics import run as analysis
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import authentication
from opcert.services.kernel.context import ServiceContext
from opcert.services.registry import parties as registry
from tests.integration.builders import id_number

INSTITUTIONS = [
    ("EXAM-JS", "江苏省安全生产考试中心", "320102"),
    ("EXAM-ZJ", "浙江省安全技术考试中心", "330106"),
    ("EXAM-SD", "山东省安全生产考试中心", "370102"),
    ("EXAM-HB", "湖北省安全技术考试中心", "420102"),
]
DISTRICTS = {  # four exam points in each province, one per city
    "EXAM-JS": [("320102", "玄武"), ("320508", "姑苏"), ("320205", "锡山"), ("320303", "云龙")],
    "EXAM-ZJ": [("330106", "西湖"), ("330203", "海曙"), ("330302", "鹿城"), ("330402", "南湖")],
    "EXAM-SD": [("370102", "历下"), ("370202", "市南"), ("370302", "淄川"), ("370602", "芝罘")],
    "EXAM-HB": [("420102", "江岸"), ("420502", "西陵"), ("420602", "襄城"), ("420202", "黄石港")],
}
POINTS = [
    (f"EP-{region[:4]}00-01", institution, f"{name}考试点", region)
    for institution, districts in DISTRICTS.items()
    for region, name in districts
]
ANOMALOUS = "EP-330200-01"
PER_MONTH = 36
MONTHS = 4
GIVEN = "子涵浩然雨桐思远嘉怡俊杰欣然宇航梓萱博文"


@dataclass(frozen=True)
class AnalyticsWorld:
    run_id: int
    months: list[str]  # the closed months, oldest first
    signals: int


def _months(today: date, count: int) -> list[tuple[int, int]]:
    index = today.year * 12 + today.month - 1
    return [((index - n) // 12, (index - n) % 12 + 1) for n in range(count, 0, -1)]


def _row(
    k: int, point: tuple[str, str, str, str], day: date, too_good: bool, rng: random.Random
) -> dict[str, object]:
    code, _, _, region = point
    if too_good:
        theory, practical = rng.choice((80, 81)), rng.randint(85, 95)
    else:
        theory = max(35, min(100, round(rng.gauss(79, 9))))
        practical = max(40, min(100, round(rng.gauss(84, 7)))) if theory >= 80 else 0
    return {
        "ref": f"AW-{k:06d}",
        "id_number": id_number(division=region, born=date(1970 + k // 500, 3, 15), seq=k % 500),
        "name": "欧阳" + GIVEN[(k * 2) % len(GIVEN) : (k * 2) % len(GIVEN) + 2],
        "item": "1.2",
        "theory_score": theory,
        "practical_score": practical,
        "exam_date": day.isoformat(),
        "exam_point": code,
        "phone": f"139{k:08d}",
    }


def build(ctx: ServiceContext, seed: int = 16) -> AnalyticsWorld:
    """Register the world, send its results and run the analysis over its months."""
    keys = {}
    for code, name, region in INSTITUTIONS:
        made = registry.add_institution(ctx, code=code, name=name, region=region, kind="exam")
        assert made.api_key
        keys[code] = authentication.authenticate_institution(ctx, made.api_key)
    for code, institution, name, region in POINTS:
        registry.add_exam_point(ctx, institution=institution, code=code, name=name, region=region)
    rng = random.Random(seed)
    months = _months(ctx.today(), MONTHS)
    k = 0
    for number, (year, month) in enumerate(months):
        last = number == len(months) - 1
        for point in POINTS:
            too_good = last and point[0] == ANOMALOUS
            rows = []
            for n in range(PER_MONTH * 2 if too_good else PER_MONTH):
                k += 1
                rows.append(_row(k, point, date(year, month, 3 + n % 24), too_good, rng))
            outcomes = submit_results(ctx, keys[point[1]], rows)
            assert all(o.outcome in ("issued", "failed", "in_review") for o in outcomes), outcomes
    result = analysis.run(ctx, date(months[0][0], months[0][1], 1), ctx.today())
    return AnalyticsWorld(result.run_id, [f"{y}-{m:02d}" for y, m in months], len(result.signals))
