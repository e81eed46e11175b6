"""数据共享 (issue 17): the subscribers in the officer's division, their grants and delivery
figures, dead letters and feedback; adding, disabling, enabling, rotating, redelivering and an
employer's roster. Who may see and do what is ``services.sharing.officers``; this file parses
forms and renders pages."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from opcert.domain.clock import SHANGHAI
from opcert.domain.errors import DomainError, FieldError
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
    text,
)
from opcert.interfaces.web.uploads import limited_form, off_loop, read_file
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.sharing import labels, officers
from opcert.services.sharing.sharing_list import APPLICATION_PREFIX, EVENT_TYPES, FIELDS
from opcert.services.sharing.subscribers import NewSubscriber
from opcert.services.uploads.limits import SHEET_LIMITS

router = APIRouter(prefix="/officer/sharing", include_in_schema=False)
Page = Annotated[int, Query(ge=1, le=10_000)]
SPLIT = re.compile(r"[\s,，、;；]+")
ADD_FIELDS = ("code", "name", "url", "regions", "signing", "uscc")
DONE = {"disabled", "enabled", "redelivered", "roster"}


def _beijing(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""


def _labels() -> dict[str, Any]:
    """What every sharing page uses to show codes as words."""
    return {
        "event_label": labels.event_label,
        "field_label": labels.field_label,
        "region_label": labels.region_label,
        "lag_label": labels.lag_label,
        "kind_labels": labels.KINDS,
        "signing_labels": labels.SIGNING,
        "beijing": _beijing,
    }


def _no_store(response: Response) -> Response:
    """A page with a secret on it: kept by no cache, and shown once."""
    response.headers["Cache-Control"] = "no-store"
    return response


# The list ------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def sharing_page(request: Request, officer: CurrentOfficer, page: Page = 1) -> Response:
    try:
        found = officers.overview(ctx_of(request), officer, page)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(
        request,
        "officer/sharing.html",
        officer=officer,
        overview=found,
        listing={"page": found.page, "has_next": found.more},
        **_labels(),
    )


# Adding ----------------------------------------------------------------------------------------
def _add_page(
    request: Request,
    officer: OfficerPrincipal,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        request,
        "officer/sharing_new.html",
        status,
        officer=officer,
        values=values,
        errors=errors,
        certificate_events=[e for e in EVENT_TYPES if not e.startswith(APPLICATION_PREFIX)],
        application_events=[e for e in EVENT_TYPES if e.startswith(APPLICATION_PREFIX)],
        all_fields=FIELDS,
        **_labels(),
    )


@router.get("/new", response_class=HTMLResponse)
def add_form(request: Request, officer: CurrentOfficer) -> Response:
    try:
        officers.require_manager(officer)
    except DomainError as error:
        return refusal(request, officer, error)
    region = "" if officer.region == "000000" else officer.region
    values = {"regions": region, "signing": "hmac", "events": [], "fields": []}
    return _add_page(request, officer, values, {})


def _new_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: text(form, name)[:600] for name in ADD_FIELDS}
    for name in ("events", "fields"):
        values[name] = [v for v in form.getlist(name) if isinstance(v, str)][:50]
    return values


@router.post("/new", response_class=HTMLResponse)
async def add(request: Request, officer: CurrentOfficer) -> Response:
    form = await checked_form(request)
    values = _new_values(form)
    new = NewSubscriber(
        code=values["code"],
        name=values["name"],
        url=values["url"],
        events=values["events"],
        fields=values["fields"],
        regions=[r for r in SPLIT.split(values["regions"]) if r][:50],
        signing=values["signing"] or "hmac",
        uscc=values["uscc"] or None,
    )
    try:
        registered = await run_in_threadpool(officers.add, ctx_of(request), officer, new)
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        errors = form_errors(error, language(request))
        return _add_page(request, officer, values, errors, status_for(error))
    page = render(
        request,
        "officer/sharing_secret.html",
        officer=officer,
        code=registered.code,
        added=True,
        api_key=registered.api_key,
        secret=registered.secret,
    )
    return _no_store(page)


# One subscriber ----------------------------------------------------------------------------
def _detail_page(
    request: Request,
    officer: OfficerPrincipal,
    code: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    try:
        found = officers.detail(ctx_of(request), officer, code)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(
        request,
        "officer/sharing_subscriber.html",
        status,
        officer=officer,
        detail=found,
        s=found.subscriber,
        errors=errors or {},
        roster_rows=[m for k, m in (errors or {}).items() if k.startswith("roster:row ")],
        values=values or {},
        done=done if done in DONE else "",
        **_labels(),
    )


@router.get("/subscribers/{code}", response_class=HTMLResponse)
def subscriber_page(
    request: Request, officer: CurrentOfficer, code: str, done: str = ""
) -> Response:
    return _detail_page(request, officer, code, done=done)


async def _refused(
    request: Request,
    officer: OfficerPrincipal,
    code: str,
    error: DomainError,
    prefix: str,
    values: dict[str, str] | None = None,
) -> Response:
    """The subscriber's page again with the error beside the form that caused it (each form's
    fields are named ``prefix:field``)."""
    errors = {
        f"{prefix}:{field}" if field else "": message
        for field, message in form_errors(error, language(request)).items()
    }
    return await run_in_threadpool(
        lambda: _detail_page(
            request, officer, code, errors=errors, values=values, status=status_for(error)
        )
    )


def _location(code: str, done: str) -> str:
    return f"/officer/sharing/subscribers/{quote(code, safe='')}?done={done}"


@router.post("/subscribers/{code}/state", response_class=HTMLResponse)
async def change_state(request: Request, officer: CurrentOfficer, code: str) -> Response:
    form = await checked_form(request)
    active = text(form, "action") == "enable"
    reason = text(form, "reason")[:2000]
    try:
        await run_in_threadpool(officers.set_state, ctx_of(request), officer, code, active, reason)
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        return await _refused(request, officer, code, error, "state", {"reason": reason})
    return redirect(_location(code, "enabled" if active else "disabled"))


@router.post("/subscribers/{code}/secret", response_class=HTMLResponse)
async def rotate(request: Request, officer: CurrentOfficer, code: str) -> Response:
    form = await checked_form(request)
    api_key = text(form, "which") == "api_key"
    try:
        shown = await run_in_threadpool(
            lambda: officers.rotate(ctx_of(request), officer, code, api_key=api_key)
        )
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        return await _refused(request, officer, code, error, "secret")
    page = render(
        request,
        "officer/sharing_secret.html",
        officer=officer,
        code=code,
        added=False,
        api_key=shown if api_key else None,
        secret=None if api_key else shown,
    )
    return _no_store(page)


@router.post("/subscribers/{code}/redeliver", response_class=HTMLResponse)
async def redeliver(request: Request, officer: CurrentOfficer, code: str) -> Response:
    form = await checked_form(request)
    event_id = text(form, "event_id")
    try:
        await run_in_threadpool(officers.redeliver, ctx_of(request), officer, code, event_id)
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        return await _refused(request, officer, code, error, "redeliver")
    return redirect(_location(code, "redelivered"))


@router.post("/subscribers/{code}/roster", response_class=HTMLResponse)
async def roster(request: Request, officer: CurrentOfficer, code: str) -> Response:
    ctx = ctx_of(request)
    try:
        officers.require_manager(officer)  # before a byte of the file is read
        form = await limited_form(request, "file", SHEET_LIMITS.max_bytes)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise FieldError("file", "FILE_REQUIRED", "请选择名册文件", "choose a roster file")
        data = await read_file(upload, "file", SHEET_LIMITS.max_bytes)
        await off_loop(officers.replace_roster, ctx, officer, code, upload.filename, data)
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        return await _refused(request, officer, code, error, "roster")
    return redirect(_location(code, "roster"))
