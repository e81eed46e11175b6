"""The officer's session: an httponly cookie holding the token of ``registry.officer_login``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from opcert.domain.errors import Unauthorized
from opcert.interfaces.web.pages import ctx_of
from opcert.services import registry
from opcert.services.principals import OfficerPrincipal

OFFICER_COOKIE = "opcert_officer"


def current_officer(request: Request) -> OfficerPrincipal | None:
    try:
        return registry.authenticate_officer(ctx_of(request), request.cookies.get(OFFICER_COOKIE))
    except Unauthorized:
        return None


def start_session(response: Response, token: str, hours: int) -> None:
    response.set_cookie(
        OFFICER_COOKIE, token, max_age=hours * 3600, httponly=True, samesite="strict"
    )


def end_session(response: Response) -> None:
    response.delete_cookie(OFFICER_COOKIE)
