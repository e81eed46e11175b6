"""QR verification: paste the SC1 text, upload a photo, or scan with the camera (jsQR, local)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from opcert.domain import pasted_text
from opcert.domain.errors import DomainError
from opcert.interfaces.http_errors import status_for
from opcert.interfaces.throttle import limit_async
from opcert.interfaces.web.pages import ctx_of, form_errors, language, render, text
from opcert.interfaces.web.uploads import limited_form, off_loop, read_file
from opcert.services.abuse import VERIFY_PHOTO, TooManyRequests
from opcert.services.verification import online as verification
from opcert.services.verification import photo as photo_verification

router = APIRouter(include_in_schema=False)
VALID = "VALID"


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> Response:
    return render(request, "verify.html", errors={}, payload="")


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request) -> Response:
    ctx = ctx_of(request)
    payload = ""
    result: dict[str, Any]
    try:
        form = await limited_form(request, "photo", photo_verification.MAX_PHOTO)
        payload = pasted_text.qr_text(text(form, "payload"))  # wrapped or padded when pasted
        photo = form.get("photo")
        if isinstance(photo, UploadFile) and photo.filename:
            await limit_async(request, VERIFY_PHOTO)
            data = await read_file(photo, "photo", photo_verification.MAX_PHOTO)
            result = await off_loop(photo_verification.verify_photo, ctx, data)
        else:
            result = await run_in_threadpool(verification.verify_online, ctx, payload)
    except TooManyRequests:
        raise  # the abuse policy's 429 page (refusals), not a form error
    except DomainError as error:
        errors = form_errors(error, language(request))
        return render(request, "verify.html", status_for(error), errors=errors, payload=payload)
    # Green only for a valid credential the platform's record agrees with in every field.
    record = result.get("record")
    valid = result["verdict"] == VALID and (record is None or bool(record.get("matches")))
    return render(request, "verdict.html", result=result, valid=valid)
