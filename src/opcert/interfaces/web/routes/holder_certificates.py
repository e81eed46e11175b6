"""我的证书: the logged-in holder's certificates, their PDF and the QR code full-screen."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces.api.security_headers import WORKER_POLICY
from opcert.interfaces.http_errors import status_for
from opcert.interfaces.web.dependencies import CurrentHolder
from opcert.interfaces.web.holder_session import Holder, current_holder, end_session
from opcert.interfaces.web.pages import (
    checked_form,
    ctx_of,
    form_errors,
    language,
    redirect,
    render,
)
from opcert.services.holders import certificates as holders
from opcert.services.holders import documents
from opcert.services.holders.qr_card import qr_card
from opcert.services.lifecycle import renewal_applications
from opcert.services.verification import query as certificates

router = APIRouter(prefix="/holder", include_in_schema=False)
LOGIN = "/holder/login"
STATIC = Path(__file__).resolve().parents[1] / "static"


def _my_page(
    request: Request, holder: Holder, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    ctx = ctx_of(request)
    found = holders.my_certificates(ctx, holder.id_number)
    options = renewal_applications.options(ctx, holder.id_number)
    return render(
        request,
        "holder/certificates.html",
        status,
        holder=holder,
        certificates=found,
        options=options,
        errors=errors or {},
    )


@router.get("/certificates", response_class=HTMLResponse)
def my_certificates(request: Request, holder: CurrentHolder) -> Response:
    return _my_page(request, holder)


@router.post("/certificates/{number}/{item}/renewal", response_class=HTMLResponse)
async def apply_for_renewal(
    request: Request, holder: CurrentHolder, number: str, item: str
) -> Response:
    """换证申请 from 我的证书: filed with the certificate's issuing authority, in its window."""
    await checked_form(request)
    try:
        await run_in_threadpool(
            renewal_applications.apply, ctx_of(request), holder.id_number, number, item
        )
    except DomainError as error:
        errors = form_errors(error, language(request))
        return await run_in_threadpool(_my_page, request, holder, status_for(error), errors)
    return redirect("/holder/certificates?renewal=applied")


@router.get("/certificates/{number}/{item}.pdf")
async def certificate_pdf(
    request: Request, holder: CurrentHolder, number: str, item: str
) -> Response:
    try:
        holders.require_own(ctx_of(request), holder.id_number, number)
        pdf = await run_in_threadpool(documents.export_pdf, ctx_of(request), number, item)
    except DomainError:
        return Response(status_code=404)
    name = f"{number}-{item}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/certificates/{number}/{item}/qr.png")
def certificate_qr_png(request: Request, number: str, item: str) -> Response:
    """The QR as an image, for a valid certificate of the holder only: a revoked, cancelled,
    expired or lapsed certificate's code is not handed out as a pass (404, as for none)."""
    holder = current_holder(request)
    if holder is None:
        return Response(status_code=401)
    try:
        card = qr_card(ctx_of(request), holder.id_number, number, item)
        if card.qr is None:
            return Response(status_code=404)
        png = certificates.export_png(ctx_of(request), card.number, card.item)
    except DomainError:
        return Response(status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get("/certificates/{number}/{item}/qr", response_class=HTMLResponse)
def certificate_qr(request: Request, holder: CurrentHolder, number: str, item: str) -> Response:
    try:
        card = qr_card(ctx_of(request), holder.id_number, number, item)
    except DomainError:
        return Response(status_code=404)
    response = render(request, "holder/qr.html", card=card)
    # The page is the holder's own: browsers and proxies keep no copy; the service worker keeps
    # one in the holder's Cache Storage, which logout clears.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/qr-sw.js")
def qr_service_worker() -> Response:
    """The service worker that reopens a QR page already opened, with no network. Its scope is
    /holder/ (the script's folder); its own fetches follow the worker policy."""
    headers = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": WORKER_POLICY,
    }
    return FileResponse(STATIC / "holder-qr-sw.js", media_type="text/javascript", headers=headers)


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    await checked_form(request)
    response = redirect("/")
    await run_in_threadpool(end_session, request, response)
    # A shared phone: the kept QR pages (Cache Storage) and the service worker go with the session.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
