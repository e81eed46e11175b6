"""Officer pages beyond the queue: identity reviews, revocation, certificate search, clues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError, Forbidden
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
from opcert.services.holders import identity_reviews
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.lifecycle import acts
from opcert.services.verification import clues
from opcert.services.verification import search as certificate_search

router = APIRouter(prefix="/officer", include_in_schema=False)
LOGIN = "/officer/login"
# A database integer is 32 bits: a larger id is refused (422), not sent to PostgreSQL to fail.
ReviewId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/identity-reviews", response_class=HTMLResponse)
def reviews(request: Request, officer: CurrentOfficer, done: str = "") -> Response:
    try:
        rows = identity_reviews.review_queue(ctx_of(request), officer)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(request, "officer/reviews.html", officer=officer, rows=rows, done=done, errors={})


@router.get("/identity-reviews/{review_id}/photo")
def review_photo(request: Request, officer: CurrentOfficer, review_id: ReviewId) -> Response:
    try:
        photo, kind = identity_reviews.review_photo(ctx_of(request), officer, review_id)
    except DomainError as error:
        return refusal(request, officer, error)
    return Response(photo, media_type=kind, headers={"Cache-Control": "private, no-store"})


@router.post("/identity-reviews/{review_id}/decision", response_class=HTMLResponse)
async def decide_review(request: Request, officer: CurrentOfficer, review_id: ReviewId) -> Response:
    form = await checked_form(request)
    approve = text(form, "decision") == "approve"
    ctx = ctx_of(request)
    try:
        await run_in_threadpool(
            identity_reviews.decide_review,
            ctx,
            officer,
            review_id,
            approve,
            text(form, "reason"),
        )
    except REFUSALS as error:
        return refusal(request, officer, error)
    except DomainError as error:
        rows = identity_reviews.review_queue(ctx, officer)
        errors = form_errors(error, language(request))
        return render(
            request, "officer/reviews.html", 422, officer=officer, rows=rows, done="", errors=errors
        )
    return redirect("/officer/identity-reviews?done=1")


@router.get("/revoke", response_class=HTMLResponse)
def revoke_form(
    request: Request, officer: CurrentOfficer, number: str = "", item: str = ""
) -> Response:
    values = {"number": number, "item": item}
    try:
        acts.revocation_grounds(officer)
    except DomainError as error:
        return refusal(request, officer, error)
    return _revoke_page(request, officer, values, {}, "")


def _revoke_page(
    request: Request,
    officer: OfficerPrincipal,
    values: dict[str, str],
    errors: dict[str, str],
    done: str,
    status: int = 200,
) -> Response:
    grounds = acts.REVOCATION_GROUNDS
    return render(
        request,
        "officer/revoke.html",
        status,
        officer=officer,
        values=values,
        errors=errors,
        grounds=grounds,
        done=done,
    )


@router.post("/revoke", response_class=HTMLResponse)
async def revoke(request: Request, officer: CurrentOfficer) -> Response:
    form = await checked_form(request)
    values = {k: text(form, k) for k in ("number", "item", "ground", "reason")}
    try:
        await run_in_threadpool(
            lambda: acts.revoke(
                ctx_of(request),
                values["number"],
                values["item"],
                values["reason"],
                ground=values["ground"] or None,
                officer=officer,
            )
        )
    except Forbidden as error:
        return refusal(request, officer, error)
    except DomainError as error:
        return _revoke_page(
            request, officer, values, form_errors(error, language(request)), "", 422
        )
    return _revoke_page(request, officer, {}, {}, values["number"])


@router.get("/certificates", response_class=HTMLResponse)
def search(request: Request, officer: CurrentOfficer, q: str = "") -> Response:
    try:
        found = certificate_search.search(ctx_of(request), officer, q)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(request, "officer/search.html", officer=officer, q=q, certificates=found)


@router.get("/clues", response_class=HTMLResponse)
def clue_list(request: Request, officer: CurrentOfficer) -> Response:
    try:
        rows = clues.clues_for(ctx_of(request), officer)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(request, "officer/clues.html", officer=officer, rows=rows)
