"""What a reminder letter shows of each signal, in words and figures, and its funnel plots: the
province's units against the nation's, from the same monthly counts and the same funnel as the
analytics pages (``figures.pass_rate_funnel``)."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Sequence
from datetime import date

from opcert.documents.reminder_letter import FunnelChart, LetterSignal
from opcert.domain.divisions import division_name
from opcert.domain.errors import FieldError
from opcert.persistence.models import AnalyticsSignal, ReminderLetterSignal
from opcert.persistence.repositories.analytics import MonthlyCounts
from opcert.services.analytics.figures import pass_rate_funnel
from opcert.services.analytics.signals import Kind, UnitType

KIND_NAMES = {
    Kind.PASS_RATE: ("通过率偏高", "Pass rate above peers"),
    Kind.FIRST_ATTEMPT: ("首次参考通过率偏高", "First-attempt pass rate above peers"),
    Kind.YEAR_ON_YEAR: ("通过率同比升幅异常", "Year-on-year rise of the pass rate"),
    Kind.VOLUME: ("考试人次激增", "Spike in exams"),
    Kind.HEAPING: ("理论成绩在及格线上方堆积", "Theory scores heaped at the pass mark"),
    Kind.PRACTICAL_SPREAD: ("实操成绩过于集中", "Practical scores implausibly uniform"),
    Kind.FAR: ("外省考生比例异常", "Many candidates from other provinces"),
    Kind.SHARED_CONTACT: ("考生共用手机号", "Candidates sharing phone numbers"),
    Kind.OFF_DAY: ("非工作日考试", "Exams on days off"),
}
UNIT_NAMES = {
    UnitType.PROVINCE: ("省", "province"),
    UnitType.CITY: ("市", "city"),
    UnitType.INSTITUTION: ("考试机构", "exam institution"),
    UnitType.EXAM_POINT: ("考试点", "exam point"),
}
LEVELS = [UnitType.PROVINCE, UnitType.CITY, UnitType.INSTITUTION, UnitType.EXAM_POINT]
_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?\s*$")


def parse_period(text: str) -> tuple[date, date]:
    """The first and last day of a month written 2026-10, 2026/10 or 2026年10月; a
    ``FieldError`` on ``period`` otherwise."""
    found = _PERIOD.match(text or "")
    month = int(found.group(2)) if found else 0
    if not found or not 1 <= month <= 12 or not 2000 <= int(found.group(1)) <= 2999:
        raise FieldError(
            "period",
            "PERIOD_INVALID",
            f"月份应写作 YYYY-MM，例如 2026-10（收到「{(text or '')[:20]}」）",
            f"the month is written YYYY-MM, e.g. 2026-10 (got {(text or '')[:20]!r})",
        )
    year = int(found.group(1))
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def kind_name(kind: str) -> tuple[str, str]:
    try:
        return KIND_NAMES[Kind(kind)]
    except ValueError:
        return kind, kind


def unit_words(unit_type: str, unit: str, lang: str = "zh") -> str:
    """考试点 EP-440400-01, 广东省珠海市（440400）; in English: exam point EP-440400-01,
    city 440400."""
    known = UnitType(unit_type) if unit_type in set(UnitType) else None
    zh, en = UNIT_NAMES.get(known, (unit_type, unit_type)) if known else (unit_type, unit_type)
    if lang == "en":
        return f"{en} {unit}"
    if known in (UnitType.PROVINCE, UnitType.CITY):
        return f"{division_name(unit) or unit}（{unit}）"
    return f"{zh} {unit}"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def figures(kind: str, observed: float, reference: float, effect: float) -> tuple[str, str, str]:
    """Observed, reference and effect as the letter prints them."""
    return figures_in("zh", kind, observed, reference, effect)


WORDS = {
    "zh": ("通过 {o:.0f} 人", "预期 {r:.0f} 人", "{e:.2f} 倍", "上年同月 {r}", "优势比 {e:.2f}",
           "{o:.0f} 人次", "预期约 {r:.0f} 人次", "{e:.1f} 倍", "标准差 {o:.1f} 分",
           "同类约 {r:.1f} 分", "集中 {e:.1f} 倍", "同类 {r}"),
    "en": ("{o:.0f} passed", "{r:.0f} expected", "{e:.2f}x", "{r} a year before",
           "odds ratio {e:.2f}", "{o:.0f} exams", "about {r:.0f} expected", "{e:.1f}x",
           "SD {o:.1f} points", "peers about {r:.1f}", "{e:.1f}x more uniform", "peers {r}"),
}  # fmt: skip


def figures_in(
    lang: str, kind: str, observed: float, reference: float, effect: float
) -> tuple[str, str, str]:
    """Observed, reference and effect in words of ``lang`` (zh or en), by the signal's kind."""
    w = WORDS["en" if lang == "en" else "zh"]
    o, r, e = observed, reference, effect
    k = Kind(kind) if kind in set(Kind) else None
    if k in (Kind.PASS_RATE, Kind.FIRST_ATTEMPT):
        return w[0].format(o=o), w[1].format(r=r), w[2].format(e=e)
    if k is Kind.YEAR_ON_YEAR:
        return _pct(o), w[3].format(r=_pct(r)), w[4].format(e=e)
    if k is Kind.VOLUME:
        return w[5].format(o=o), w[6].format(r=r), w[7].format(e=e)
    if k is Kind.PRACTICAL_SPREAD:
        return w[8].format(o=o), w[9].format(r=r), w[10].format(e=e)
    return _pct(o), w[11].format(r=_pct(r)), w[7].format(e=e)


def letter_signal(position: int, s: AnalyticsSignal | ReminderLetterSignal) -> LetterSignal:
    observed, reference, effect = figures(s.kind, s.observed, s.reference, s.effect)
    return LetterSignal(
        position=position,
        unit=unit_words(s.unit_type, s.unit),
        kind=kind_name(s.kind)[0],
        period=s.period,
        explanation=s.explanation_zh,
        observed=observed,
        reference=reference,
        effect=effect,
        p_value=s.p_value,
        q_value=s.q_value,
    )


def _province_of(rows: Sequence[MonthlyCounts], level: UnitType) -> dict[str, str]:
    """Each unit of ``level`` in ``rows`` → the two-digit province it lies in."""
    found: dict[str, str] = {}
    for row in rows:
        unit = {
            UnitType.PROVINCE: row.region[:2] + "0000",
            UnitType.CITY: row.region[:4] + "00",
            UnitType.INSTITUTION: row.institution,
            UnitType.EXAM_POINT: row.exam_point,
        }[level]
        found.setdefault(unit, row.region[:2])
    return found


def funnels_for(
    rows: Sequence[MonthlyCounts],
    province: str,
    month: str,
    signals: Sequence[AnalyticsSignal],
) -> list[FunnelChart]:
    """One funnel per level that has a signal in the letter, with the province's units in blue
    and the flagged ones in red and named; a level with too few units for a funnel is left out."""
    charts = []
    for level in LEVELS:
        flagged = {s.unit for s in signals if s.unit_type == level}
        if not flagged:
            continue
        funnel = pass_rate_funnel(rows, level, month)
        if funnel is None:
            continue
        where = _province_of(rows, level)
        points, labels = [], []
        for p in funnel.points:
            role = (
                "flagged"
                if p.unit in flagged
                else "province"
                if where.get(p.unit) == province[:2]
                else "nation"
            )
            points.append((p.expected, p.ratio, role))
            if role == "flagged":
                labels.append((p.expected, p.ratio, p.unit))
        zh = UNIT_NAMES[level][0]
        charts.append(
            FunnelChart(
                title=f"{month} 各{zh}通过率（全国 {len(points)} 个）",
                points=points,
                limits=[
                    (lim.expected, lim.inner_low, lim.inner_high, lim.outer_low, lim.outer_high)
                    for lim in funnel.limits
                ],
                labels=labels,
            )
        )
    return charts
