"""The institution web user's session: a cookie holding the token of
``accounts.institution_login``; the session itself is server-side (``services.sessions``)."""

from __future__ import annotations

from fastapi import Request

from opcert.domain.errors import Unauthorized
from opcert.interfaces.web.pages import ctx_of
from opcert.interfaces.web.session_cookies import INSTITUTION_COOKIE
from opcert.services.kernel import accounts
from opcert.services.kernel.accounts import InstitutionUserPrincipal
from opcert.services.kernel.principals import InstitutionPrincipal


def current_user(request: Request) -> InstitutionUserPrincipal | None:
    try:
        return accounts.authenticate_institution_user(
            ctx_of(request), request.cookies.get(INSTITUTION_COOKIE)
        )
    except Unauthorized:
        return None


def current_institution(request: Request) -> InstitutionPrincipal | None:
    user = current_user(request)
    return user.institution if user is not None else None
