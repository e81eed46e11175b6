"""Exam results from exam institutions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from opcert.domain.errors import FieldError
from opcert.interfaces.api.dependencies import Ctx, Institution, JsonBody, require_object
from opcert.services.intake.pipeline import submit_results

router = APIRouter(prefix="/api/v1", tags=["exam results / 考试成绩"])


@router.post("/exam-results", summary="提交考试成绩并代为申请发证 / submit exam results")
async def post_results(ctx: Ctx, institution: Institution, body: JsonBody) -> dict[str, Any]:
    """One outcome per row, in order: issued, in_review, failed or rejected (with field errors)."""
    payload = require_object(body, "results")
    rows = payload["results"]
    if not isinstance(rows, list):
        raise FieldError("results", "NOT_LIST", "results 应为列表", "results must be a list")
    outcomes = await run_in_threadpool(submit_results, ctx, institution, rows)
    return {"results": [outcome.to_json() for outcome in outcomes]}
