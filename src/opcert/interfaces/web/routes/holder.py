"""Holder pages: real-name login (ID + name, one-time code, live face check), manual identity
review when the face check fails, my certificates with PDF and full-screen QR."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from opcert.domain.errors import DomainError
from opcert.interfaces import throttle
from opcert.interfaces.http_errors import status_for
from opcert.interfaces.web.holder_session import (
    CHALLENGE_COOKIE,
    Holder,
    end_session,
    set_challenge,
    start_session,
)
from opcert.interfaces.web.pages import (
    checked_form,
    client_ip,
    ctx_of,
    form_errors,
    language,
    platform_of,
    redirect,
    render,
    text,
)
from opcert.interfaces.web.routes.holder_phone import code_page, resend_status
from opcert.interfaces.web.uploads import limited_form, off_loop, read_file
from opcert.services.holders import identity, identity_reviews

router = APIRouter(include_in_schema=False)
LOGIN = "/holder/login"


@router.get("/holder/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "holder/login.html", errors={}, values={})


@router.post("/holder/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await checked_form(request)
    values = {"id_number": text(form, "id_number"), "name": text(form, "name")}
    try:
        challenge = await run_in_threadpool(
            identity.start_login,
            ctx_of(request),
            throttle.controls(request),
            values["id_number"],
            values["name"],
            client_ip(request),
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return render(request, "holder/login.html", 422, errors=errors, values=values)
    response = redirect("/holder/code")
    set_challenge(request, response, challenge.id)
    return response


def _code_page(
    request: Request, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    wait = identity.resend_wait(ctx_of(request), request.cookies.get(CHALLENGE_COOKIE, ""))
    return code_page(request, "holder/code.html", wait, status, errors)


@router.get("/holder/code", response_class=HTMLResponse)
def code_form(request: Request) -> Response:
    return _code_page(request)


@router.post("/holder/code/resend", response_class=HTMLResponse)
async def resend_code(request: Request) -> Response:
    """重新发送: refused with the seconds left before the interval, or by the limits; the new
    challenge replaces the old one in the cookie."""
    await checked_form(request)
    try:
        challenge = await run_in_threadpool(
            identity.resend_code,
            ctx_of(request),
            throttle.controls(request),
            request.cookies.get(CHALLENGE_COOKIE, ""),
            client_ip(request),
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_code_page, request, resend_status(error), errors)
    response = redirect("/holder/code?resent=1")
    set_challenge(request, response, challenge.id)
    return response


@router.post("/holder/code", response_class=HTMLResponse)
async def code(request: Request) -> Response:
    form = await checked_form(request)
    try:
        await run_in_threadpool(
            identity.answer_code,
            ctx_of(request),
            throttle.controls(request),
            request.cookies.get(CHALLENGE_COOKIE, ""),
            text(form, "code"),
            client_ip(request),
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_code_page, request, 422, errors)
    return redirect("/holder/face")


@router.get("/holder/face", response_class=HTMLResponse)
def face_form(request: Request) -> Response:
    return render(request, "holder/face.html", errors={})


@router.post("/holder/face", response_class=HTMLResponse)
async def face(request: Request) -> Response:
    form = await checked_form(request)
    challenge_id = request.cookies.get(CHALLENGE_COOKIE, "")
    try:
        outcome = await run_in_threadpool(
            identity.finish_login, ctx_of(request), challenge_id, text(form, "evidence")
        )
    except DomainError as error:
        return render(
            request, "holder/face.html", 422, errors=form_errors(error, language(request))
        )
    if outcome.review:
        return redirect("/holder/review")
    if outcome.holder is None:  # a replayed or parallel request found the challenge used
        return redirect(LOGIN)
    response = redirect("/holder/certificates")
    holder = Holder(outcome.holder.id_number, outcome.holder.name)
    await run_in_threadpool(start_session, request, response, holder)
    return response


def _verified_person(request: Request, challenge_id: str) -> Holder | None:
    challenge = identity.verified(ctx_of(request), challenge_id)
    return Holder(challenge.id_number, challenge.name) if challenge else None


def _reviewer(request: Request, person: Holder | None) -> identity_reviews.Reviewer | None:
    if person is None:
        return None
    return identity_reviews.reviewer_for(ctx_of(request), person.id_number, person.name)


@router.get("/holder/review", response_class=HTMLResponse)
def review_form(request: Request) -> Response:
    person = _verified_person(request, request.cookies.get(CHALLENGE_COOKIE, ""))
    if person is None:
        return redirect(LOGIN)
    reviewer = _reviewer(request, person)
    return render(request, "holder/review.html", errors={}, reviewer=reviewer)


@router.post("/holder/review", response_class=HTMLResponse)
async def review(request: Request) -> Response:
    person = _verified_person(request, request.cookies.get(CHALLENGE_COOKIE, ""))
    if person is None:
        return redirect(LOGIN)
    ctx = ctx_of(request)
    try:
        # an "authority" field in the post is ignored: the platform decides who reviews
        form = await limited_form(request, "photo", identity_reviews.MAX_PHOTO)
        photo = form.get("photo")
        data, kind = (
            (await read_file(photo, "photo", identity_reviews.MAX_PHOTO), photo.content_type or "")
            if isinstance(photo, UploadFile)
            else (b"", "")
        )
        await off_loop(
            identity_reviews.request_review,
            ctx,
            person.id_number,
            person.name,
            data,
            kind,
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        reviewer = await run_in_threadpool(_reviewer, request, person)
        return render(
            request, "holder/review.html", status_for(error), errors=errors, reviewer=reviewer
        )
    await run_in_threadpool(identity.consume, ctx, request.cookies.get(CHALLENGE_COOKIE, ""))
    response = redirect("/holder/review/sent")
    await run_in_threadpool(end_session, request, response)
    return response


@router.get("/holder/review/sent", response_class=HTMLResponse)
def review_sent(request: Request) -> Response:
    return render(request, "holder/review_sent.html")


@router.get("/dev/outbox", response_class=HTMLResponse)
def outbox(request: Request) -> Response:
    outbox = platform_of(request).outbox
    if outbox is None:
        return Response(status_code=404)
    return render(request, "holder/outbox.html", messages=outbox.messages)
