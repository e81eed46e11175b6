"""换证申请: the renewal applications holders filed from 我的证书, in the officer's division; the
officer renews the certificate from here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces.http_errors import status_for
from opcert.interfaces.web.dependencies import CurrentOfficer
from opcert.interfaces.web.pages import (
    checked_form,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
)
from opcert.services.lifecycle import renewal_applications

router = APIRouter(prefix="/officer", include_in_schema=False)
ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/renewals", response_class=HTMLResponse)
def renewals(request: Request, officer: CurrentOfficer, done: str = "") -> Response:
    rows = renewal_applications.queue(ctx_of(request), officer)
    return render(
        request, "officer/renewals.html", officer=officer, rows=rows, done=done, errors={}
    )


@router.post("/renewals/{application_id}/renew", response_class=HTMLResponse)
async def renew(
    request: Request, officer: CurrentOfficer, application_id: ApplicationId
) -> Response:
    await checked_form(request)
    ctx = ctx_of(request)
    try:
        await run_in_threadpool(
            renewal_applications.renew_application, ctx, officer, application_id
        )
    except DomainError as error:
        rows = await run_in_threadpool(renewal_applications.queue, ctx, officer)
        errors = form_errors(error, language(request))
        return render(
            request,
            "officer/renewals.html",
            status_for(error),
            officer=officer,
            rows=rows,
            done="",
            errors=errors,
        )
    return redirect("/officer/renewals?done=1")
