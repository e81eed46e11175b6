"""The officer's session: a cookie holding the token of ``authentication.officer_login``; the session
itself is server-side (``services.sessions``), so logout and revocation end it everywhere."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from opcert.domain.errors import Unauthorized
from opcert.domain.sessions import SessionKind
from opcert.interfaces.web.pages import ctx_of
from opcert.interfaces.web.session_cookies import OFFICER_COOKIE, delete_cookie, set_cookie
from opcert.services.kernel import authentication, sessions
from opcert.services.kernel.principals import OfficerPrincipal

__all__ = ["OFFICER_COOKIE", "current_officer", "end_session", "start_session"]


def current_officer(request: Request) -> OfficerPrincipal | None:
    try:
        return authentication.authenticate_officer(
            ctx_of(request), request.cookies.get(OFFICER_COOKIE)
        )
    except Unauthorized:
        return None


def start_session(request: Request, response: Response, token: str, hours: int) -> None:
    set_cookie(request, response, OFFICER_COOKIE, token, max_age=hours * 3600)


def end_session(request: Request, response: Response, officer: OfficerPrincipal | None) -> None:
    """Revoke the session server-side (ledgered) and drop the cookie."""
    if officer is not None:
        sessions.end(
            ctx_of(request),
            SessionKind.OFFICER,
            request.cookies.get(OFFICER_COOKIE),
            officer.actor,
        )
    delete_cookie(request, response, OFFICER_COOKIE)
