"""提醒函: the reminder letters to provinces about exam-data signals (issue 16, decision 0027).
National analysts issue a month's letters here; a province's officers read theirs and reply to
each signal. The rules (who, which province) are the service's; this file parses and renders."""

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
    text,
)
from opcert.services.analytics import letter_figures
from opcert.services.analytics import letters as reminder_letters
from opcert.services.kernel.principals import NATIONAL, Action

router = APIRouter(prefix="/officer/analytics", include_in_schema=False)
LetterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Position = Annotated[int, Path(ge=1, le=10_000)]


def _previous_month(request: Request) -> str:
    today = ctx_of(request).today()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year}-{month:02d}"


def _list_page(
    request: Request, officer: CurrentOfficer, status: int = 200, **extra: object
) -> Response:
    rows = reminder_letters.letters(ctx_of(request), officer)
    context: dict[str, object] = {
        "rows": rows,
        "errors": {},
        "issued": None,
        "period": _previous_month(request),
        "may_issue": officer.may(Action.ISSUE_LETTERS) and officer.region == NATIONAL,
        **extra,
    }
    return render(request, "officer/letters.html", status, officer=officer, **context)


@router.get("/letters", response_class=HTMLResponse)
def letters_page(request: Request, officer: CurrentOfficer) -> Response:
    return _list_page(request, officer)


@router.post("/letters", response_class=HTMLResponse)
async def issue(request: Request, officer: CurrentOfficer) -> Response:
    form = await checked_form(request)
    period = text(form, "period")
    ctx = ctx_of(request)
    try:
        issued = await run_in_threadpool(reminder_letters.issue_letters, ctx, period, officer)
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(
            _list_page, request, officer, status_for(error), errors=errors, period=period
        )
    return await run_in_threadpool(_list_page, request, officer, issued=issued, period=period)


@router.get("/letters/{letter_id}", response_class=HTMLResponse)
def letter_page(
    request: Request, officer: CurrentOfficer, letter_id: LetterId, done: str = ""
) -> Response:
    detail = reminder_letters.letter(ctx_of(request), officer, letter_id)
    return _detail(request, officer, detail, done=done == "1")


def _detail(
    request: Request,
    officer: CurrentOfficer,
    detail: reminder_letters.LetterDetail,
    status: int = 200,
    **extra: object,
) -> Response:
    context: dict[str, object] = {
        "detail": detail,
        "kinds": reminder_letters.REPLY_NAMES,
        "errors": {},
        "error_position": None,
        "done": False,
        "kind_name": letter_figures.kind_name,
        "unit_words": lambda unit_type, unit: letter_figures.unit_words(
            unit_type, unit, language(request)
        ),
        "figures": lambda sig: letter_figures.figures_in(
            language(request), sig.kind, sig.observed, sig.reference, sig.effect
        ),
        **extra,
    }
    return render(request, "officer/letters_detail.html", status, officer=officer, **context)


@router.get("/letters/{letter_id}/pdf")
def letter_pdf(request: Request, officer: CurrentOfficer, letter_id: LetterId) -> Response:
    name, pdf = reminder_letters.letter_pdf(ctx_of(request), officer, letter_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/letters/{letter_id}/signals/{position}/reply", response_class=HTMLResponse)
async def reply(
    request: Request, officer: CurrentOfficer, letter_id: LetterId, position: Position
) -> Response:
    form = await checked_form(request)
    ctx = ctx_of(request)
    kind, words = text(form, "kind"), text(form, "text")
    try:
        await run_in_threadpool(
            reminder_letters.reply, ctx, officer, letter_id, position, kind, words
        )
    except DomainError as error:
        detail = await run_in_threadpool(reminder_letters.letter, ctx, officer, letter_id)
        return _detail(
            request,
            officer,
            detail,
            status_for(error),
            errors=form_errors(error, language(request)),
            error_position=position,
            values={"kind": kind, "text": words},
        )
    return redirect(f"/officer/analytics/letters/{letter_id}?done=1#signal-{position}")
