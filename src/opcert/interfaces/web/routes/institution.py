"""Exam institution pages: log in with the API key, upload results, see past submissions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError, Unauthorized
from opcert.interfaces.web.pages import (
    checked_form,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
    text,
    web_state,
)
from opcert.interfaces.web.uploads import read_results, status_for
from opcert.services import registry, submissions
from opcert.services.intake.files import error_sheet
from opcert.services.intake.pipeline import submit_results
from opcert.services.intake.validation import FIELD_LABELS
from opcert.services.principals import InstitutionPrincipal

router = APIRouter(prefix="/institution", include_in_schema=False)
KEY_COOKIE = "opcert_institution"
LOGIN = "/institution/login"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def current_institution(request: Request) -> InstitutionPrincipal | None:
    try:
        return registry.authenticate_institution(ctx_of(request), request.cookies.get(KEY_COOKIE))
    except Unauthorized:
        return None


@router.get("", response_class=HTMLResponse)
def institution_home(request: Request) -> Response:
    return redirect("/institution/upload" if current_institution(request) else LOGIN)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "institution/login.html", errors={})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await checked_form(request)
    key = text(form, "api_key")
    try:
        registry.authenticate_institution(ctx_of(request), key)
    except DomainError as error:
        errors = {"api_key": form_errors(error, language(request)).popitem()[1]}
        return render(request, "institution/login.html", 401, errors=errors)
    response = redirect("/institution/upload")
    response.set_cookie(KEY_COOKIE, key, max_age=8 * 3600, httponly=True, samesite="strict")
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    await checked_form(request)
    response = redirect(LOGIN)
    response.delete_cookie(KEY_COOKIE)
    return response


def _upload_page(
    request: Request, institution: InstitutionPrincipal, status: int = 200, **extra: object
) -> Response:
    past = submissions.past_results(ctx_of(request), institution)
    context = {
        "errors": {},
        "outcomes": None,
        "sheet": None,
        "field_labels": FIELD_LABELS,
        **extra,
    }
    return render(
        request, "institution/upload.html", status, institution=institution, past=past, **context
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    institution = current_institution(request)
    if institution is None:
        return redirect(LOGIN)
    return _upload_page(request, institution)


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request) -> Response:
    institution = current_institution(request)
    if institution is None:
        return redirect(LOGIN)
    ctx = ctx_of(request)
    try:
        rows = await read_results(request, ctx.batch_limit)
        outcomes = [
            o.to_json() for o in await run_in_threadpool(submit_results, ctx, institution, rows)
        ]
    except DomainError as error:
        errors = form_errors(error, language(request))
        return _upload_page(request, institution, status_for(error), errors=errors)
    bad = [o for o in outcomes if o["outcome"] in ("rejected", "failed")]
    sheet = (
        web_state(request).keep_error_sheet(
            institution.code, await run_in_threadpool(error_sheet, rows, outcomes)
        )
        if bad
        else None
    )
    return _upload_page(request, institution, outcomes=outcomes, sheet=sheet)


@router.get("/error-sheets/{key}")
def error_sheet_download(request: Request, key: str) -> Response:
    institution = current_institution(request)
    kept = web_state(request).error_sheets.get(key)
    if institution is None or kept is None or kept[0] != institution.code:
        return Response(status_code=404)
    headers = {"Content-Disposition": 'attachment; filename="errors.xlsx"'}
    return Response(kept[1], media_type=XLSX, headers=headers)
