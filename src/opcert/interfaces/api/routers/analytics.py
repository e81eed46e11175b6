"""The exam-data analysis for officers (issue 16): a run's signals within the officer's division."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from opcert.interfaces.api.dependencies import Ctx, Officer
from opcert.services.analytics import browse
from opcert.services.kernel.principals import Action

router = APIRouter(prefix="/api/v1", tags=["analytics / 考试数据分析"])


@router.get("/analytics/signals", summary="考试数据异常信号 / exam-data signals")
async def signals(
    ctx: Ctx,
    officer: Officer,
    run: str | None = None,
    unit_type: str | None = None,
    kind: str | None = None,
    period: str | None = None,
    province: str | None = None,
    q_max: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    """The latest run's signals (or run ``run``'s) on units in the officer's division, strongest
    first: ``unit_type`` province|city|institution|exam_point, ``kind``, ``period`` YYYY-MM or
    YYYY, ``province`` (2 or 6 digits), ``q_max``, ``limit`` (1–500, 50) and ``offset``. Each
    signal is the CLI's ``--json`` object with ``id``, ``unit_name``, ``provisional``,
    ``observed``, ``reference`` and ``explanation_en``. 403 for an inspector; a bad filter is 422
    naming it; an unknown run 404."""
    raw = {
        "run": run,
        "unit_type": unit_type,
        "kind": kind,
        "period": period,
        "province": province,
        "q_max": q_max,
        "limit": limit,
        "offset": offset,
    }
    officer.require(Action.READ_ANALYTICS)  # before the filters are read
    filters = browse.parse_filters(raw)
    page = await run_in_threadpool(browse.signals, ctx, officer, filters)
    return page.to_json()
