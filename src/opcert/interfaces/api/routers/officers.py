"""Officers: log in, see the review queue of their region, decide."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.concurrency import run_in_threadpool

from opcert.interfaces.api.dependencies import Ctx, JsonBody, Officer, require_object
from opcert.services import approval, registry

router = APIRouter(prefix="/api/v1", tags=["officers / 发证机关"])


@router.post("/auth/token", summary="发证机关工作人员登录 / officer login")
async def token(
    ctx: Ctx, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> dict[str, Any]:
    access = await run_in_threadpool(registry.officer_login, ctx, username, password)
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ctx.officer_token_hours * 3600,
    }


@router.get("/applications", summary="待审核申请 / applications in the officer's region")
def applications(
    ctx: Ctx,
    officer: Officer,
    status: str | None = "in_review",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    entries = approval.queue(
        ctx, officer, status or None, limit=min(max(limit, 1), 1000), offset=max(offset, 0)
    )
    return {"applications": [entry.to_json() for entry in entries]}


@router.get("/applications/{application_id}", summary="申请详情 / application detail")
def application(ctx: Ctx, officer: Officer, application_id: str) -> dict[str, Any]:
    return approval.application_detail(ctx, officer, application_id)


@router.post("/applications/{application_id}/decision", summary="审批决定 / decide")
async def decision(
    ctx: Ctx, officer: Officer, application_id: str, body: JsonBody
) -> dict[str, Any]:
    payload = require_object(body, "decision")
    reason = payload.get("reason")
    decided = await run_in_threadpool(
        approval.decide,
        ctx,
        officer,
        application_id,
        str(payload["decision"]),
        reason if isinstance(reason, str) else None,
    )
    return {
        "application_id": decided.application_id,
        "status": decided.status,
        "certificate_no": decided.certificate_no,
    }
