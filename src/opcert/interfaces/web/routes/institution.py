"""Exam institution pages: log in as an institution web user (username and password; the API
key opens only the API), upload results, see past submissions."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.domain.sessions import SessionKind
from opcert.interfaces.http_errors import status_for
from opcert.interfaces.web.dependencies import CurrentInstitution
from opcert.interfaces.web.institution_session import current_institution, current_user
from opcert.interfaces.web.pages import (
    checked_form,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
    text,
)
from opcert.interfaces.web.session_cookies import INSTITUTION_COOKIE, delete_cookie, set_cookie
from opcert.interfaces.web.uploads import read_results
from opcert.services.intake import submissions
from opcert.services.intake.files import error_sheet, submit_file, template_sheet
from opcert.services.intake.sheets import line_of
from opcert.services.intake.validation import FIELD_LABELS
from opcert.services.kernel import accounts, kept_files, sessions
from opcert.services.kernel.principals import InstitutionPrincipal

router = APIRouter(prefix="/institution", include_in_schema=False)
LOGIN = "/institution/login"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("", response_class=HTMLResponse)
def institution_home(request: Request) -> Response:
    return redirect("/institution/upload" if current_institution(request) else LOGIN)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "institution/login.html", errors={}, username="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await checked_form(request)
    username, password = text(form, "username"), text(form, "password")
    hours = request.app.state.platform.settings.institution_session_hours
    try:
        token = await run_in_threadpool(
            accounts.institution_login, ctx_of(request), username, password, hours
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return render(request, "institution/login.html", 401, errors=errors, username=username)
    response = redirect("/institution/upload")
    set_cookie(request, response, INSTITUTION_COOKIE, token, max_age=int(hours * 3600))
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    await checked_form(request)
    user = await run_in_threadpool(current_user, request)
    if user is not None:
        await run_in_threadpool(
            sessions.end,
            ctx_of(request),
            SessionKind.INSTITUTION,
            request.cookies.get(INSTITUTION_COOKIE),
            user.actor,
        )
    response = redirect(LOGIN)
    delete_cookie(request, response, INSTITUTION_COOKIE)
    return response


def _upload_page(
    request: Request, institution: InstitutionPrincipal, status: int = 200, **extra: object
) -> Response:
    past = submissions.past_results(ctx_of(request), institution)
    context = {
        "errors": {},
        "outcomes": None,
        "sheet": None,
        "lines": [],
        "field_labels": FIELD_LABELS,
        **extra,
    }
    return render(
        request, "institution/upload.html", status, institution=institution, past=past, **context
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, institution: CurrentInstitution) -> Response:
    return _upload_page(request, institution)


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, institution: CurrentInstitution) -> Response:
    ctx = ctx_of(request)
    try:
        rows = await read_results(request)
        outcomes = [
            o.to_json() for o in await run_in_threadpool(submit_file, ctx, institution, rows)
        ]
    except DomainError as error:
        errors = form_errors(error, language(request))
        return _upload_page(request, institution, status_for(error), errors=errors)
    bad = [o for o in outcomes if o["outcome"] in ("rejected", "failed")]
    # Kept in the shared store, so the download may reach any app process.
    sheet = (
        await run_in_threadpool(
            lambda: kept_files.keep(ctx, institution.code, error_sheet(rows, outcomes))
        )
        if bad
        else None
    )
    lines = [line_of(row, index) for index, row in enumerate(rows)]
    return _upload_page(request, institution, outcomes=outcomes, sheet=sheet, lines=lines)


@router.get("/error-sheets/{key}")
def error_sheet_download(request: Request, key: str) -> Response:
    institution = current_institution(request)
    sheet = kept_files.fetch(ctx_of(request), institution.code, key) if institution else None
    if sheet is None:
        return Response(status_code=404)
    return _xlsx(sheet, "errors.xlsx", "错误清单.xlsx")


@router.get("/template.xlsx")
def template_download(request: Request, institution: CurrentInstitution) -> Response:
    """The sheet to fill in: the Chinese column names that the error sheet uses too."""
    return _xlsx(template_sheet(), "template.xlsx", "成绩上传模板.xlsx")


def _xlsx(data: bytes, ascii_name: str, name: str) -> Response:
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})
