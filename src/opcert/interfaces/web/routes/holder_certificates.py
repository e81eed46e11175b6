"""我的证书: the logged-in holder's certificates, their PDF and the QR code full-screen."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces.web.dependencies import CurrentHolder
from opcert.interfaces.web.holder_session import current_holder, end_session
from opcert.interfaces.web.pages import checked_form, ctx_of, redirect, render
from opcert.services.holders import certificates as holders
from opcert.services.holders import documents
from opcert.services.verification import query as certificates

router = APIRouter(prefix="/holder", include_in_schema=False)
LOGIN = "/holder/login"


@router.get("/certificates", response_class=HTMLResponse)
def my_certificates(request: Request, holder: CurrentHolder) -> Response:
    found = holders.my_certificates(ctx_of(request), holder.id_number)
    return render(request, "holder/certificates.html", holder=holder, certificates=found)


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
    holder = current_holder(request)
    if holder is None:
        return Response(status_code=401)
    try:
        holders.require_own(ctx_of(request), holder.id_number, number)
        png = certificates.export_png(ctx_of(request), number, item)
    except DomainError:
        return Response(status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get("/certificates/{number}/{item}/qr", response_class=HTMLResponse)
def certificate_qr(request: Request, _: CurrentHolder, number: str, item: str) -> Response:
    return render(request, "holder/qr.html", number=number, item=item)


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    await checked_form(request)
    response = redirect("/")
    await run_in_threadpool(end_session, request, response)
    return response
