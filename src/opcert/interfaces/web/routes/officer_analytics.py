"""考试数据分析: the ranked signals of the latest run with filters, a level's funnel plot of pass
rates for a period, and a unit's page (issue 16, decision 0026). Charts are drawn by ECharts in
the browser from the same numbers the page prints in tables, so the page reads without scripts."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces.web.dependencies import CurrentOfficer
from opcert.interfaces.web.officer_refusals import REFUSALS, refusal
from opcert.interfaces.web.pages import ctx_of, form_errors, language, render
from opcert.interfaces.web.routes.officer import page_number
from opcert.services.analytics import browse, charts
from opcert.services.analytics.signals import UnitType
from opcert.services.kernel.principals import Action

router = APIRouter(prefix="/officer", include_in_schema=False)
PER_PAGE = 50
FILTERS = ("unit_type", "kind", "period", "province", "q_max")
UnitCode = Annotated[str, Path(min_length=1, max_length=charts.MAX_UNIT)]


def funnel_json(view: charts.FunnelView | None) -> dict[str, Any] | None:
    """What the funnel chart draws: the officer's units and the nation's control limits."""
    if view is None or view.funnel is None:
        return None
    return {
        "points": [
            [p.expected, p.ratio, view.names.get(p.unit, p.unit), p.unit in view.flagged]
            for p in view.points
        ],
        "limits": [
            [lim.expected, lim.inner_low, lim.inner_high, lim.outer_low, lim.outer_high]
            for lim in view.funnel.limits
        ],
    }


def unit_json(view: charts.UnitView) -> dict[str, Any]:
    """What a unit's two charts draw: the monthly series (signal months marked) and the
    theory scores' shares against the peers'."""
    return {
        "months": [m.month for m in view.series],
        "sat": [m.sat for m in view.series],
        "rate": [None if m.pass_rate is None else round(m.pass_rate * 100, 1) for m in view.series],
        "marked": sorted(view.marked),
        "scores": [b.score for b in view.scores],
        "unit_share": [round(b.unit_share * 100, 2) for b in view.scores],
        "peer_share": [round(b.peer_share * 100, 2) for b in view.scores],
    }


def _funnel_period(filters: browse.Filters, page: browse.SignalPage) -> str | None:
    if filters.period:
        return filters.period
    if page.signals:
        return page.signals[0].period
    if page.run is None:
        return None
    # the run's last month, or the one before it while the last is still open
    last = f"{page.run.date_to:%Y-%m}"
    if last in page.run.provisional:
        year, month = page.run.date_to.year, page.run.date_to.month
        last = f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"
    return last


@router.get("/analytics", response_class=HTMLResponse)
async def analytics(request: Request, officer: CurrentOfficer, page: str = "1") -> Response:
    ctx = ctx_of(request)
    values = {name: request.query_params.get(name, "").strip()[:20] for name in FILTERS}
    number = page_number(page)
    errors: dict[str, str] = {}
    status = 200
    try:
        officer.require(Action.READ_ANALYTICS)
        try:
            filters = browse.parse_filters(
                {**values, "limit": str(PER_PAGE), "offset": str((number - 1) * PER_PAGE)}
            )
        except DomainError as error:
            errors, status = form_errors(error, language(request)), 422
            filters = browse.Filters(limit=PER_PAGE)
        listing = await run_in_threadpool(browse.signals, ctx, officer, filters)
        level = UnitType(filters.unit_type or UnitType.EXAM_POINT)
        period = _funnel_period(filters, listing)
        funnel = (
            await run_in_threadpool(charts.funnel, ctx, officer, level, period) if period else None
        )
    except REFUSALS as error:
        return refusal(request, officer, error)
    query = urlencode({k: v for k, v in values.items() if v and k not in errors})
    return render(
        request,
        "officer/analytics.html",
        status,
        officer=officer,
        listing=listing,
        pager={"page": number, "has_next": listing.has_next},
        base=f"/officer/analytics?{query}&" if query else "/officer/analytics?",
        values=values,
        errors=errors,
        kinds=browse.KIND_LABELS,
        levels=browse.LEVEL_LABELS,
        level=level,
        funnel=funnel,
        funnel_data=funnel_json(funnel),
    )


@router.get("/analytics/units/{unit_type}/{unit}", response_class=HTMLResponse)
async def unit(
    request: Request,
    officer: CurrentOfficer,
    unit_type: Annotated[str, Path(max_length=16)],
    unit: UnitCode,
    period: str = "",
) -> Response:
    ctx = ctx_of(request)
    errors: dict[str, str] = {}
    try:
        officer.require(Action.READ_ANALYTICS)
        level = charts.level_of(unit_type)
        chosen = None
        if period:
            try:
                chosen = browse.parse_filters({"period": period}).period
            except DomainError as error:
                errors = form_errors(error, language(request))
        shown = await run_in_threadpool(charts.unit_page, ctx, officer, level, unit, chosen)
    except REFUSALS as error:
        return refusal(request, officer, error)
    return render(
        request,
        "officer/analytics_unit.html",
        422 if errors else 200,
        officer=officer,
        view=shown,
        chart_data=unit_json(shown),
        errors=errors,
        period_value=period[:20],
        levels=browse.LEVEL_LABELS,
        kinds=browse.KIND_LABELS,
    )
