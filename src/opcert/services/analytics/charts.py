"""The figures of the analytics pages (issue 16, decision 0026): a level's funnel plot in a
period, and one unit's page (its signals, its monthly volume and pass rate with the signal
periods marked, its theory scores against its peers').

Scope as in ``browse``: the funnel's control limits are the nation's (every unit of the level is
a peer), but only the officer's own units are plotted; a unit outside the division is
``NotFound``, like a unit that does not exist. Peers' score shares are a sum over every other
unit of the level, which names none of them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from opcert.domain.divisions import division_name
from opcert.domain.errors import NotFound
from opcert.persistence.repositories.analytics_views import SignalQuery
from opcert.services.analytics import browse
from opcert.services.analytics.figures import Funnel, FunnelPoint, MonthFigures, pass_rate_funnel
from opcert.services.analytics.run import months_between
from opcert.services.analytics.signals import Kind, UnitType
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal

SERIES_MONTHS = 12  # a unit's page without a run shows the last year
MAX_UNIT = 40  # the longest code a unit can have (exam point and institution codes)


@dataclass(frozen=True)
class FunnelView:
    level: UnitType
    period: str
    funnel: Funnel | None
    points: list[FunnelPoint]  # the officer's own units
    flagged: set[str]  # units with a pass-rate signal that period
    names: dict[str, str]


@dataclass(frozen=True)
class ScoreBin:
    score: int
    unit: int
    peers: int
    unit_share: float
    peer_share: float


@dataclass(frozen=True)
class UnitView:
    unit_type: UnitType
    unit: str
    name: str
    region: str
    region_name: str
    run: browse.RunSummary | None
    signals: list[browse.SignalView]
    series: list[MonthFigures]
    marked: set[str]  # months of the series with a signal of their own
    period: str  # of the histogram
    scores: list[ScoreBin]


def period_span(period: str) -> tuple[date, date]:
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(period[5:])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def level_of(text: str) -> UnitType:
    try:
        return UnitType(text)
    except ValueError:
        raise _unknown(text) from None


def _unknown(unit: str) -> NotFound:
    return NotFound(
        "UNIT_NOT_FOUND", f"没有这个单位：{unit[:MAX_UNIT]}", f"no unit {unit[:MAX_UNIT]}"
    )


def funnel(
    ctx: ServiceContext, officer: OfficerPrincipal, level: UnitType, period: str
) -> FunnelView:
    """The funnel of ``level``'s pass rates in ``period`` (a checked YYYY-MM or YYYY)."""
    officer.require(Action.READ_ANALYTICS)
    start, end = period_span(period)
    with ctx.reader() as uow:
        rows = uow.analytics.monthly_counts(start, end, [])
        plotted = pass_rate_funnel(rows, level, period)
        codes = [p.unit for p in plotted.points] if plotted else []
        regions = uow.analytics_views.regions(str(level), codes)
        names = uow.analytics_views.names(str(level), codes)
        run = uow.analytics_views.run(None)
        flagged = set()
        if run is not None:
            query = SignalQuery(
                run.id, officer.region_prefix, str(level), str(Kind.PASS_RATE), period, limit=1000
            )
            flagged = {s.unit for s, _ in uow.analytics_views.signals(query)[0]}
    mine = [p for p in (plotted.points if plotted else []) if officer.covers(regions.get(p.unit))]
    names = {p.unit: browse.unit_name(str(level), p.unit, names) for p in mine}
    return FunnelView(level, period, plotted, mine, flagged, names)


def unit_page(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    level: UnitType,
    unit: str,
    period: str | None = None,
) -> UnitView:
    """One unit in the latest run. ``NotFound`` for a unit unknown or outside the scope."""
    officer.require(Action.READ_ANALYTICS)
    if len(unit) > MAX_UNIT:
        raise _unknown(unit)
    with ctx.reader() as uow:
        found = uow.analytics_views.unit(str(level), unit)
    if found is None or not officer.covers(found[0]) or not _is_level_code(level, unit):
        raise _unknown(unit)
    region, registered = found
    page = browse.signals(
        ctx, officer, browse.Filters(unit_type=str(level), limit=browse.MAX_LIMIT), unit=unit
    )
    own = page.signals
    months = _months(ctx, page.run)
    chosen = period or (own[0].period if own else months[-1])
    start, end = period_span(months[0])[0], period_span(months[-1])[1]
    score_from, score_to = period_span(chosen)
    with ctx.reader() as uow:
        counted = {
            m.month: m for m in uow.analytics_views.unit_months(str(level), unit, start, end)
        }
        mine, peers = uow.analytics_views.theory_scores(str(level), unit, score_from, score_to)
    series = [
        MonthFigures(m, counted[m].sat, counted[m].passed)
        if m in counted
        else MonthFigures(m, 0, 0)
        for m in months
    ]
    # Only monthly signals shade a month: a yearly one would shade them all and say nothing.
    marked = {s.period for s in own if len(s.period) == 7} & set(months)
    name = registered or browse.unit_name(str(level), unit, {})
    return UnitView(
        level,
        unit,
        name,
        region,
        division_name(region) or region,
        page.run,
        own,
        series,
        marked,
        chosen,
        _bins(mine, peers),
    )


def _is_level_code(level: UnitType, unit: str) -> bool:
    if level is UnitType.PROVINCE:
        return len(unit) == 6 and unit.isdigit() and unit.endswith("0000")
    if level is UnitType.CITY:
        return len(unit) == 6 and unit.isdigit() and unit.endswith("00")
    return True


def _months(ctx: ServiceContext, run: browse.RunSummary | None) -> list[str]:
    if run is not None:
        return months_between(run.date_from, run.date_to)
    today = ctx.today()
    first = date(today.year - 1, today.month, 1)
    return months_between(first, today)[-SERIES_MONTHS:]


def _bins(mine: dict[int, int], peers: dict[int, int]) -> list[ScoreBin]:
    scores = sorted(set(mine) | set(peers))
    own_total, peer_total = sum(mine.values()), sum(peers.values())
    return [
        ScoreBin(
            s,
            mine.get(s, 0),
            peers.get(s, 0),
            mine.get(s, 0) / own_total if own_total else 0.0,
            peers.get(s, 0) / peer_total if peer_total else 0.0,
        )
        for s in scores
    ]
