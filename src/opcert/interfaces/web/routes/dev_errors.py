"""Development only: each error page as a visitor would get it, for the screenshots and the
accessibility check of the e2e suite (``tests/e2e/test_every_page.py``). The pages come from
the same handler as the real refusals; 500 is a real failure, raised here. With a production SMS
provider (no development outbox) the path does not exist (404)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from opcert.interfaces.web.error_pages import FORM_EXPIRED, KIND_BY_STATUS, error_page
from opcert.interfaces.web.pages import platform_of

router = APIRouter(include_in_schema=False)
# Each page kind under the status that shows it (KIND_BY_STATUS the other way round).
PREVIEWS = {kind: status for status, kind in KIND_BY_STATUS.items() if status not in (401, 409)}
PREVIEW_RETRY_AFTER = 90  # seconds: what a refusal of the abuse policy would state


class DeliberateFailure(RuntimeError):
    """The preview of the 500 page: an exception the last-resort handler answers."""


@router.get("/dev/errors/{kind}")
def preview(request: Request, kind: str) -> Response:
    if platform_of(request).outbox is None:
        raise HTTPException(404)
    if kind == "server":
        raise DeliberateFailure("a deliberate failure whose text no page may show")
    if kind == FORM_EXPIRED:
        return error_page(request, 403, kind=FORM_EXPIRED)
    status = PREVIEWS.get(kind)
    if status is None:
        raise HTTPException(404)
    retry = PREVIEW_RETRY_AFTER if status in (429, 503) else None
    return error_page(request, status, kind=kind, retry_after=retry)
