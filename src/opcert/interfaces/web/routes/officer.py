"""Officer pages: login, logout, password change, the review queue, application detail,
decisions, batch approval."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces import throttle
from opcert.interfaces.web.dependencies import CurrentOfficer
from opcert.interfaces.web.officer_refusals import REFUSALS, refusal
from opcert.interfaces.web.officer_session import current_officer, end_session, start_session
from opcert.interfaces.web.pages import (
    checked_form,
    client_ip,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
    text,
)
from opcert.services.abuse import logins
from opcert.services.kernel import accounts
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.review import decisions as approval
from opcert.services.review import labels, overrides
from opcert.services.review import queue as review_queue

router = APIRouter(prefix="/officer", include_in_schema=False)
LOGIN = "/officer/login"


@router.get("", response_class=HTMLResponse)
def officer_home(request: Request) -> Response:
    return redirect("/officer/queue" if current_officer(request) else LOGIN)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, changed: str = "") -> Response:
    return render(request, "officer/login.html", errors={}, username="", changed=bool(changed))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await checked_form(request)
    username, password = text(form, "username"), text(form, "password")
    ctx = ctx_of(request)
    try:
        token = await run_in_threadpool(
            logins.officer_login,
            throttle.controls(request),
            ctx,
            username,
            password,
            client_ip(request),
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return render(request, "officer/login.html", 401, errors=errors, username=username)
    response = redirect("/officer/queue")
    start_session(request, response, token, ctx.officer_token_hours)
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    await checked_form(request)
    officer = await run_in_threadpool(current_officer, request)
    response = redirect(LOGIN)
    await run_in_threadpool(end_session, request, response, officer)
    return response


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, officer: CurrentOfficer) -> Response:
    return render(request, "officer/password.html", officer=officer, errors={})


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, officer: CurrentOfficer) -> Response:
    form = await checked_form(request)
    if text(form, "new_password") != text(form, "confirm_password"):
        errors = {"confirm_password": "两次输入的新密码不一致 / the two new passwords differ"}
        return render(request, "officer/password.html", 422, officer=officer, errors=errors)
    try:
        await run_in_threadpool(
            accounts.change_officer_password,
            ctx_of(request),
            officer,
            text(form, "current_password"),
            text(form, "new_password"),
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return render(request, "officer/password.html", 422, officer=officer, errors=errors)
    # Every session of the officer has ended, this one too: log in with the new password.
    response = redirect(f"{LOGIN}?changed=1")
    end_session(request, response, None)
    return response


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, officer: CurrentOfficer, done: str = "", page: str = "1") -> Response:
    return _queue_page(request, officer, done, page_number(page), {})


def page_number(text: str) -> int:
    """A page link's number; anything else (a word, an overlong number) is the first page."""
    return max(1, int(text)) if text.isascii() and text.isdigit() and len(text) <= 6 else 1


def _queue_page(
    request: Request,
    officer: OfficerPrincipal,
    done: str,
    page: int,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    ctx = ctx_of(request)
    try:
        listed = review_queue.explained_queue(ctx, officer, page)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(
        request,
        "officer/queue.html",
        status,
        officer=officer,
        rows=listed.rows,
        listing=listed,
        done=done,
        errors=errors,
        region=labels.region_label(officer),
        authorities=labels.authority_names(ctx),
    )


@router.post("/queue/approve-clean", response_class=HTMLResponse)
async def approve_clean(request: Request, officer: CurrentOfficer) -> Response:
    form = await checked_form(request)
    chosen = [v for v in form.getlist("application") if isinstance(v, str)]
    try:
        count = await run_in_threadpool(
            review_queue.approve_clean, ctx_of(request), officer, chosen
        )
    except REFUSALS as error:  # a role that may not decide; an application outside the scope
        return refusal(request, officer, error)
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_queue_page, request, officer, "", 1, errors, 422)
    return redirect(f"/officer/queue?done=batch-{count}")


def _detail_page(
    request: Request,
    officer: OfficerPrincipal,
    app_id: str,
    errors: dict[str, str],
    status: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    ctx = ctx_of(request)
    try:
        detail = approval.application_detail(ctx, officer, app_id)
    except DomainError as error:
        return refusal(request, officer, error)
    reasons = review_queue.explain(detail["reasons"], detail["checks"])
    return render(
        request,
        "officer/detail.html",
        status,
        officer=officer,
        app=detail,
        reasons=reasons,
        errors=errors,
        values=values or {},
        failed=overrides.failed_checks(detail["checks"]),
        labels=labels,
        authority=labels.authority_names(ctx).get(detail["authority"], detail["authority"]),
    )


@router.get("/applications/{app_id}", response_class=HTMLResponse)
def detail(request: Request, officer: CurrentOfficer, app_id: str) -> Response:
    return _detail_page(request, officer, app_id, {})


@router.post("/applications/{app_id}/decision", response_class=HTMLResponse)
async def decide(request: Request, officer: CurrentOfficer, app_id: str) -> Response:
    form = await checked_form(request)
    values = {k: text(form, k) for k in ("decision", "reason", "confirmation")}
    if text(form, "change"):  # 返回修改 on the confirmation page: the answers come back as typed
        return await run_in_threadpool(_detail_page, request, officer, app_id, {}, 200, values)
    ctx = ctx_of(request)
    try:
        await run_in_threadpool(
            lambda: approval.decide(
                ctx,
                officer,
                app_id,
                values["decision"],
                values["reason"],
                confirmation=values["confirmation"] or None,
            )
        )
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        if error.code == "CONFIRMATION_REQUIRED" and not values["confirmation"]:
            return await run_in_threadpool(_confirm_page, request, officer, app_id, values)
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_detail_page, request, officer, app_id, errors, 422, values)
    return redirect(f"/officer/queue?done={values['decision']}")


def _confirm_page(
    request: Request, officer: OfficerPrincipal, app_id: str, values: dict[str, str]
) -> Response:
    """The check-your-answers page of an approval over failed checks: nothing is written yet."""
    try:
        shown = overrides.prepare(ctx_of(request), officer, app_id, values["reason"])
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        errors = form_errors(error, language(request))
        return _detail_page(request, officer, app_id, errors, 422, values)
    return render(request, "officer/confirm.html", officer=officer, shown=shown, labels=labels)
