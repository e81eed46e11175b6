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
from opcert.interfaces.web.routes.officer import page_number
from opcert.services.holders import identity_reviews
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.lifecycle import acts, revocation
from opcert.services.review import labels
from opcert.services.sharing import officers as sharing_officers
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
    return _revoke_page(request, officer, values, {}, None)


def _revoke_page(
    request: Request,
    officer: OfficerPrincipal,
    values: dict[str, str],
    errors: dict[str, str],
    done: acts.Revocation | None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "officer/revoke.html",
        status,
        officer=officer,
        values=values,
        errors=errors,
        grounds=acts.REVOCATION_GROUNDS,
        banning=acts.BANNING_GROUNDS,
        done=done,
    )


REVOKE_FIELDS = ("number", "item", "ground", "reason", "confirmation")


@router.post("/revoke", response_class=HTMLResponse)
async def revoke(request: Request, officer: CurrentOfficer) -> Response:
    """Without a confirmation key: the preview (nothing revoked). With one: the act."""
    form = await checked_form(request)
    values = {k: text(form, k) for k in REVOKE_FIELDS}
    if text(form, "change"):  # 返回修改 on the preview: the answers come back as typed
        return _revoke_page(request, officer, values, {}, None)
    ctx = ctx_of(request)
    number, item, ground, reason = (values[k] for k in REVOKE_FIELDS[:4])
    try:
        if not values["confirmation"]:
            shown = await run_in_threadpool(
                revocation.preview, ctx, officer, number, item, ground, reason
            )
            return render(request, "officer/revoke_confirm.html", officer=officer, shown=shown)
        done = await run_in_threadpool(
            revocation.confirm, ctx, officer, number, item, ground, reason, values["confirmation"]
        )
    except Forbidden as error:
        return refusal(request, officer, error)
    except DomainError as error:
        errors = form_errors(error, language(request))
        return _revoke_page(request, officer, values, errors, None, 422)
    return _revoke_page(request, officer, {}, {}, done)


@router.get("/certificates", response_class=HTMLResponse)
def search(request: Request, officer: CurrentOfficer, q: str = "", page: str = "1") -> Response:
    ctx = ctx_of(request)
    try:
        found = certificate_search.search_page(ctx, officer, q, page_number(page))
        # --- sharing --- the outcomes subscribers fed back on each certificate found
        feedback = sharing_officers.certificate_feedback(ctx, officer, found.certificates)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(
        request,
        "officer/search.html",
        officer=officer,
        q=q,
        certificates=found.certificates,
        listing=found,
        region=labels.region_label(officer),
        feedback=feedback,
    )


@router.get("/clues", response_class=HTMLResponse)
def clue_list(request: Request, officer: CurrentOfficer) -> Response:
    try:
        rows = clues.clues_for(ctx_of(request), officer)
    except DomainError as error:
        return refusal(request, officer, error)
    return render(request, "officer/clues.html", officer=officer, rows=rows)
