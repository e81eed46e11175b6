"""暂停自动发证 (exam-data holds, decision 0028): the exam points and institutions in the
officer's division whose new results wait for an officer because of a strong exam-data signal,
and the release of a hold with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.clock import SHANGHAI
from opcert.domain.errors import DomainError
from opcert.domain.identity import division_name
from opcert.interfaces.http_errors import status_for
from opcert.interfaces.web.dependencies import CurrentOfficer
from opcert.interfaces.web.officer_refusals import REFUSALS, refusal
from opcert.interfaces.web.pages import (
    checked_form,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
)
from opcert.services.analytics import holds
from opcert.services.kernel.principals import OfficerPrincipal

router = APIRouter(prefix="/officer", include_in_schema=False)
Page = Annotated[int, Query(ge=1, le=10_000)]
UNIT_TYPES = {
    "exam_point": ("考试点", "exam point"),
    "institution": ("考试机构", "exam institution"),
}


def _beijing(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""


def _page(
    request: Request,
    officer: OfficerPrincipal,
    *,
    released: bool = False,
    page: int = 1,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    try:
        rows, more = holds.holds_in_scope(ctx_of(request), officer, active=not released, page=page)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(
        request,
        "officer/holds.html",
        status,
        officer=officer,
        rows=rows,
        released=released,
        page=page,
        more=more,
        errors=errors or {},
        values=values or {},
        done=done,
        unit_types=UNIT_TYPES,
        beijing=_beijing,
        # no-break spaces: "q < 0.001" never splits across lines on a phone
        q_text=lambda q: "q\u00a0<\u00a00.001" if q < 0.001 else f"q\u00a0=\u00a0{q:.3f}",
        region_name=lambda code: division_name(code) or code,
        chosen=request.query_params.get("hold", ""),
    )


@router.get("/holds", response_class=HTMLResponse)
def holds_page(
    request: Request,
    officer: CurrentOfficer,
    page: Page = 1,
    released: bool = False,
    done: str = "",
) -> Response:
    return _page(request, officer, released=released, page=page, done=done)


@router.post("/holds/{hold_id}/release", response_class=HTMLResponse)
async def release(request: Request, officer: CurrentOfficer, hold_id: str) -> Response:
    form = await checked_form(request)
    reason = str(form.get("reason") or "")
    try:
        await run_in_threadpool(holds.release, ctx_of(request), officer, hold_id, reason)
    except REFUSALS as error:  # a role that may not release; a hold outside the division
        return refusal(request, officer, error)
    except DomainError as error:
        status = status_for(error)
        errors = {
            f"{hold_id}:reason" if k == "reason" else "": v
            for k, v in form_errors(error, language(request)).items()
        }
        return await run_in_threadpool(
            lambda: _page(
                request,
                officer,
                errors=errors,
                values={hold_id: reason[:2000]},
                status=status,
            )
        )
    return redirect(f"/officer/holds?done={hold_id}")
