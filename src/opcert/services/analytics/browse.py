"""Reading a run's signals (issue 16, decision 0026): the ranked list of the analytics page and
of ``GET /api/v1/analytics/signals``, within the officer's division.

The role is checked first (``Action.READ_ANALYTICS``: approver, admin, analyst; not an
inspector), then the filters, then the run. A unit outside the officer's division does not exist
for them: its signals are left out of every list and its page is the ``NotFound`` of an unknown
unit. A province officer sees the units whose region lies in the province (a province or city
by its code, an institution or exam point by its registered division), a city officer the city's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from opcert.domain.divisions import division_name
from opcert.domain.errors import FieldError, NotFound, ValidationFailed
from opcert.persistence.models import AnalyticsRun, AnalyticsSignal
from opcert.persistence.repositories.analytics_views import SignalQuery
from opcert.services.analytics.signals import Kind, UnitType
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MAX_RUN_ID = 2**31 - 1  # a database integer
PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")
PROVINCE = re.compile(r"\d{2}(0000)?")

KIND_LABELS = {
    Kind.PASS_RATE: ("通过率偏高", "pass rate above peers"),
    Kind.FIRST_ATTEMPT: ("首次参考通过率偏高", "first-attempt pass rate above peers"),
    Kind.YEAR_ON_YEAR: ("通过率同比升幅异常", "pass rate rose more than peers'"),
    Kind.VOLUME: ("考试量激增", "exam volume spike"),
    Kind.HEAPING: ("理论成绩集中在及格线上方", "theory scores heaped above the pass mark"),
    Kind.PRACTICAL_SPREAD: ("实操成绩过于集中", "practical scores implausibly uniform"),
    Kind.FAR: ("外省考生占比偏高", "many candidates from other provinces"),
    Kind.SHARED_CONTACT: ("共用手机号的考生偏多", "many candidates sharing a phone"),
    Kind.OFF_DAY: ("非工作日考试偏多", "many exams on days off"),
}
LEVEL_LABELS = {
    UnitType.PROVINCE: ("省级", "province"),
    UnitType.CITY: ("市级", "city"),
    UnitType.INSTITUTION: ("考试机构", "exam institution"),
    UnitType.EXAM_POINT: ("考试点", "exam point"),
}


@dataclass(frozen=True)
class Filters:
    run: int | None = None
    unit_type: str | None = None
    kind: str | None = None
    period: str | None = None
    province: str | None = None  # two digits
    q_max: float | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class RunSummary:
    id: int
    date_from: date
    date_to: date
    fdr: float
    tests: int
    provisional: list[str]
    finished_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "fdr": self.fdr,
            "tests": self.tests,
            "provisional": self.provisional,
            "finished_at": self.finished_at.isoformat(),
        }


@dataclass(frozen=True)
class SignalView:
    id: int
    unit_type: str
    unit: str
    unit_name: str
    region: str | None
    kind: str
    period: str
    statistic: float
    p_value: float
    q_value: float
    effect: float
    observed: float
    reference: float
    provisional: bool
    explanation: str
    explanation_en: str

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` signal object (interfaces.md) and what a page needs beside it."""
        return {
            "id": self.id,
            "unit_type": self.unit_type,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "kind": self.kind,
            "period": self.period,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "effect": self.effect,
            "observed": self.observed,
            "reference": self.reference,
            "provisional": self.provisional,
            "explanation": self.explanation,
            "explanation_en": self.explanation_en,
        }

    @property
    def kind_label(self) -> tuple[str, str]:
        return KIND_LABELS.get(Kind(self.kind), (self.kind, self.kind))

    @property
    def level_label(self) -> tuple[str, str]:
        return LEVEL_LABELS[UnitType(self.unit_type)]


@dataclass(frozen=True)
class SignalPage:
    run: RunSummary | None
    signals: list[SignalView]
    total: int
    filters: Filters

    @property
    def has_next(self) -> bool:
        return self.filters.offset + len(self.signals) < self.total

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run.to_json() if self.run else None,
            "total": self.total,
            "limit": self.filters.limit,
            "offset": self.filters.offset,
            "signals": [s.to_json() for s in self.signals],
        }


def _error(field: str, zh: str, en: str) -> FieldError:
    return FieldError(field, "INVALID_FILTER", zh, en)


def _number(text: str, field: str, low: float, high: float, whole: bool) -> float:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high or value != value:  # NaN is not a number here
        raise _error(
            field,
            f"{field} 应为 {low:g} 到 {high:g} 之间的数",
            f"{field}: a number from {low:g} to {high:g}",
        )
    return value


def parse_filters(raw: Mapping[str, str | None]) -> Filters:
    """Filters from query text; every bad one named at once (``ValidationFailed``), an empty
    one ignored."""
    values = {k: (v or "").strip() for k, v in raw.items()}
    errors: list[FieldError] = []
    parsed: dict[str, Any] = {}

    def take(field: str, check: Any) -> None:
        if values.get(field):
            try:
                parsed[field] = check(values[field])
            except FieldError as error:
                errors.append(error)

    def member(field: str, allowed: set[str], zh: str) -> Any:
        def check(text: str) -> str:
            if text not in allowed:
                raise _error(
                    field, f"{zh}不在可选范围内", f"{field} must be one of {sorted(allowed)}"
                )
            return text

        return check

    def pattern(field: str, regex: re.Pattern[str], zh: str, en: str) -> Any:
        def check(text: str) -> str:
            if not regex.fullmatch(text):
                raise _error(field, zh, en)
            return text[:2] if field == "province" else text

        return check

    take("run", lambda t: int(_number(t, "run", 1, MAX_RUN_ID, whole=True)))
    take("unit_type", member("unit_type", {str(u) for u in UnitType}, "单位层级"))
    take("kind", member("kind", {str(k) for k in Kind}, "信号类型"))
    take("period", pattern("period", PERIOD, "期间应为 YYYY-MM 或 YYYY", "period: YYYY-MM or YYYY"))
    take(
        "province",
        pattern(
            "province", PROVINCE, "省份应为 2 位或 6 位区划代码", "province: a 2 or 6 digit code"
        ),
    )
    take("q_max", lambda t: _number(t, "q_max", 0, 1, whole=False))
    take("limit", lambda t: int(_number(t, "limit", 1, MAX_LIMIT, whole=True)))
    take("offset", lambda t: int(_number(t, "offset", 0, MAX_OFFSET, whole=True)))
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors)
    return Filters(**parsed)


def summary(run: AnalyticsRun) -> RunSummary:
    return RunSummary(
        run.id,
        run.date_from,
        run.date_to,
        run.fdr,
        run.tests,
        list(run.provisional or []),
        run.finished_at,
    )


def unit_name(unit_type: str, unit: str, names: Mapping[str, str]) -> str:
    if unit_type in (UnitType.PROVINCE, UnitType.CITY):
        return division_name(unit) or unit
    return names.get(unit, unit)


def view(signal: AnalyticsSignal, region: str | None, names: Mapping[str, str]) -> SignalView:
    return SignalView(
        signal.id,
        signal.unit_type,
        signal.unit,
        unit_name(signal.unit_type, signal.unit, names),
        region,
        signal.kind,
        signal.period,
        signal.statistic,
        signal.p_value,
        signal.q_value,
        signal.effect,
        signal.observed,
        signal.reference,
        signal.provisional,
        signal.explanation_zh,
        signal.explanation_en,
    )


def run_not_found(run_id: int) -> NotFound:
    return NotFound("RUN_NOT_FOUND", f"没有这次分析：{run_id}", f"no analytics run {run_id}")


def signals(
    ctx: ServiceContext, officer: OfficerPrincipal, filters: Filters, unit: str | None = None
) -> SignalPage:
    """The run's signals in the officer's scope that pass ``filters`` (the latest run when
    none is named; an empty page when there has been no run). Raises ``Forbidden`` for a role
    without the analysis, ``NotFound`` for an unknown run."""
    officer.require(Action.READ_ANALYTICS)
    with ctx.reader() as uow:
        run = uow.analytics_views.run(filters.run)
        if run is None:
            if filters.run is not None:
                raise run_not_found(filters.run)
            return SignalPage(None, [], 0, filters)
        query = SignalQuery(
            run.id,
            officer.region_prefix,
            filters.unit_type,
            filters.kind,
            filters.period,
            filters.province,
            filters.q_max,
            unit,
            filters.limit,
            filters.offset,
        )
        rows, total = uow.analytics_views.signals(query)
        names: dict[str, str] = {}
        for level in ("institution", "exam_point"):
            codes = [s.unit for s, _ in rows if s.unit_type == level]
            names |= uow.analytics_views.names(level, codes)
        return SignalPage(summary(run), [view(s, r, names) for s, r in rows], total, filters)
