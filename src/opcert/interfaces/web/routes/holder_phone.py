"""更换登录手机号: the logged-in holder proves control of a new phone by a code sent to it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces import throttle
from opcert.interfaces.web.dependencies import CurrentHolder
from opcert.interfaces.web.pages import (
    checked_form,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
    text,
)
from opcert.interfaces.web.session_cookies import HOLDER_COOKIE, delete_cookie, set_cookie
from opcert.services.abuse import TooManyRequests
from opcert.services.holders import phone as holder_phone
from opcert.services.kernel.session_store import digest

router = APIRouter(prefix="/holder", include_in_schema=False)
LOGIN = "/holder/login"
TICKET_COOKIE = "opcert_phone_change"


@router.get("/phone", response_class=HTMLResponse)
def phone_form(request: Request, holder: CurrentHolder) -> Response:
    return render(request, "holder/phone.html", holder=holder, errors={}, phone="")


@router.post("/phone", response_class=HTMLResponse)
async def phone(request: Request, holder: CurrentHolder) -> Response:
    form = await checked_form(request)
    wanted = text(form, "phone")
    try:
        ticket = await run_in_threadpool(
            lambda: holder_phone.start(
                ctx_of(request),
                throttle.controls(request),
                id_number=holder.id_number,
                name=holder.name,
                new_phone=wanted,
            )
        )
    except TooManyRequests:
        raise  # the abuse policy's own 429 page
    except DomainError as error:
        errors = form_errors(error, language(request))
        return render(request, "holder/phone.html", 422, holder=holder, errors=errors, phone=wanted)
    response = redirect("/holder/phone/code")
    set_cookie(request, response, TICKET_COOKIE, ticket, max_age=600)
    return response


def code_page(
    request: Request, template: str, wait: int, status: int, errors: dict[str, str] | None
) -> Response:
    """A code page (login or phone change) with its 重新发送 countdown of ``wait`` seconds."""
    resent = request.query_params.get("resent") == "1"
    return render(request, template, status, errors=errors or {}, wait=wait, resent=resent)


def resend_status(error: DomainError) -> int:
    """429 for a resend refused for its timing or a limit, 422 otherwise."""
    return 429 if error.code in {"RESEND_TOO_SOON", "TOO_MANY_REQUESTS"} else 422


def _code_page(
    request: Request, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    wait = holder_phone.resend_wait(ctx_of(request), request.cookies.get(TICKET_COOKIE, ""))
    return code_page(request, "holder/phone_code.html", wait, status, errors)


@router.get("/phone/code", response_class=HTMLResponse)
def phone_code_form(request: Request, _: CurrentHolder) -> Response:
    return _code_page(request)


@router.post("/phone/code/resend", response_class=HTMLResponse)
async def phone_code_resend(request: Request, holder: CurrentHolder) -> Response:
    await checked_form(request)
    try:
        ticket = await run_in_threadpool(
            lambda: holder_phone.resend(
                ctx_of(request),
                throttle.controls(request),
                id_number=holder.id_number,
                session=digest(request.cookies.get(HOLDER_COOKIE, "")),
                ticket=request.cookies.get(TICKET_COOKIE, ""),
            )
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_code_page, request, resend_status(error), errors)
    response = redirect("/holder/phone/code?resent=1")
    set_cookie(request, response, TICKET_COOKIE, ticket, max_age=600)
    return response


@router.post("/phone/code", response_class=HTMLResponse)
async def phone_code(request: Request, holder: CurrentHolder) -> Response:
    form = await checked_form(request)
    try:
        await run_in_threadpool(
            lambda: holder_phone.confirm(
                ctx_of(request),
                id_number=holder.id_number,
                ticket=request.cookies.get(TICKET_COOKIE, ""),
                code=text(form, "code"),
            )
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_code_page, request, 422, errors)
    response = redirect("/holder/certificates?phone=changed")
    delete_cookie(request, response, TICKET_COOKIE)
    return response
