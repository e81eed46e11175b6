"""Officers: log in and out, change their password, see the review queue of their region,
decide; an admin ends other people's sessions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool

from opcert.domain.errors import FieldError
from opcert.domain.sessions import SessionKind
from opcert.interfaces import throttle
from opcert.interfaces.api.dependencies import Ctx, JsonBody, Officer, bearer, require_object
from opcert.services.abuse import logins
from opcert.services.kernel import accounts, sessions
from opcert.services.review import decisions as approval

router = APIRouter(prefix="/api/v1", tags=["officers / 发证机关"])


@router.post(
    "/auth/token",
    summary="发证机关工作人员登录 / officer login",
    responses=throttle.LIMITED_RESPONSES,
)
async def token(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> dict[str, Any]:
    """429 with ``Retry-After`` after repeated failures of the account or the address."""
    controls, address = throttle.controls(request), throttle.client_ip(request)
    access = await run_in_threadpool(
        logins.officer_login, controls, ctx, username, password, address
    )
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ctx.officer_token_hours * 3600,
    }


@router.post("/auth/logout", summary="退出登录 / end this session")
async def logout(request: Request, ctx: Ctx, officer: Officer) -> dict[str, Any]:
    ended = await run_in_threadpool(
        sessions.end, ctx, SessionKind.OFFICER, bearer(request), officer.actor
    )
    return {"logged_out": ended}


@router.post(
    "/auth/password", summary="修改密码（结束全部登录）/ change password, ending every session"
)
async def password(
    ctx: Ctx,
    officer: Officer,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
) -> dict[str, Any]:
    ended = await run_in_threadpool(
        accounts.change_officer_password, ctx, officer, current_password, new_password
    )
    return {"sessions_revoked": ended}


@router.post(
    "/sessions/revoke", summary="结束某人的全部登录（管理员）/ end someone's sessions (admin)"
)
async def revoke_sessions(ctx: Ctx, officer: Officer, body: JsonBody) -> dict[str, Any]:
    payload = require_object(body)
    targets = {key: value for key, value in payload.items() if key in REVOKE_TARGETS and value}
    if len(targets) != 1 or not isinstance(next(iter(targets.values())), str):
        raise FieldError(
            "body",
            "ONE_TARGET",
            "请指定且只指定一个：officer、holder 或 institution_user",
            "give exactly one of officer, holder or institution_user",
        )
    [(kind, target)] = targets.items()
    ended = await run_in_threadpool(REVOKE_TARGETS[kind], ctx, target, officer)
    return {kind: target, "sessions_revoked": ended}


REVOKE_TARGETS = {
    "officer": accounts.revoke_officer,
    "holder": accounts.revoke_holder,
    "institution_user": accounts.revoke_institution_user,
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
