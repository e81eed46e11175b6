"""The captcha image of a token (the query page shows it in an ``<img>``; no script needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opcert.interfaces import throttle
from opcert.interfaces.web.captcha_image import captcha_png
from opcert.interfaces.web.pages import web_state
from opcert.services.abuse import CAPTCHA_IMAGE

router = APIRouter(include_in_schema=False)


@router.get("/captcha/{token}.png")
def captcha_image(request: Request, token: str) -> Response:
    throttle.limit(request, CAPTCHA_IMAGE)
    book = web_state(request).captcha
    answer = book.solution(token)
    if answer is None:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    png = captcha_png(answer, book.drawing_seed(token))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
