"""Public pages: home, the certificate query with its result and not-found pages, fake reports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError, NotFound
from opcert.interfaces.throttle import client_ip, limit_async
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
from opcert.services.abuse import FAKE_REPORT, AbuseStoreUnavailable, TooManyRequests
from opcert.services.verification import clues
from opcert.services.verification import query as certificates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return render(request, "home.html")


def _query_form(
    request: Request, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Response:
    captcha = web_state(request).captcha.new()
    return render(request, "query.html", status, errors=errors, values=values, captcha=captcha)


@router.get("/query", response_class=HTMLResponse)
def query_form(request: Request) -> Response:
    return _query_form(request, {}, {})


@router.post("/query", response_class=HTMLResponse)
async def query(request: Request) -> Response:
    form = await checked_form(request)
    values = {"id_number": text(form, "id_number"), "name": text(form, "name")}
    captcha = web_state(request).captcha
    token, answer = text(form, "captcha_token"), text(form, "captcha")
    ctx = ctx_of(request)
    try:
        found = await run_in_threadpool(
            lambda: certificates.public_query(
                ctx,
                values["id_number"],
                values["name"],
                asker=client_ip(request),
                human=lambda: captcha.check(token, answer),
            )
        )
    except (TooManyRequests, AbuseStoreUnavailable):
        raise  # the abuse policy's 429 (or 503) page, not a form error
    except NotFound as error:
        return render(request, "not_found.html", 404, message=error, values=values, errors={})
    except DomainError as error:
        return _query_form(request, form_errors(error, language(request)), values, 422)
    return render(request, "result.html", certificates=found)


@router.post("/report", response_class=HTMLResponse)
async def report_fake(request: Request) -> Response:
    await limit_async(request, FAKE_REPORT)
    form = await checked_form(request)
    values = {k: text(form, k) for k in ("id_number", "name", "where_seen", "details", "contact")}
    try:
        await run_in_threadpool(lambda: clues.report_fake(ctx_of(request), **values))
    except DomainError as error:
        message = NotFound("", certificates.NOT_FOUND_ZH, certificates.NOT_FOUND_EN)
        errors = form_errors(error, language(request))
        return render(request, "not_found.html", 422, message=message, values=values, errors=errors)
    return redirect("/report/thanks")


@router.get("/report/thanks", response_class=HTMLResponse)
def report_thanks(request: Request) -> Response:
    return render(request, "report_thanks.html")
