"""``Annotated`` dependencies of the pages: the logged-in officer, holder or institution.

A page that needs one declares it (``officer: CurrentOfficer``); without a live session the
browser is sent to that party's login page (303), before the form is read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from opcert.interfaces.web.holder_session import Holder, current_holder
from opcert.interfaces.web.institution_session import current_institution
from opcert.interfaces.web.officer_session import current_officer
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal


class LoginRequired(Exception):
    """No live session of the party a page is for: answered by a redirect to ``login``."""

    def __init__(self, login: str) -> None:
        super().__init__(login)
        self.login = login


def _officer(request: Request) -> OfficerPrincipal:
    officer = current_officer(request)
    if officer is None:
        raise LoginRequired("/officer/login")
    return officer


def _holder(request: Request) -> Holder:
    holder = current_holder(request)
    if holder is None:
        raise LoginRequired("/holder/login")
    return holder


def _institution(request: Request) -> InstitutionPrincipal:
    institution = current_institution(request)
    if institution is None:
        raise LoginRequired("/institution/login")
    return institution


CurrentOfficer = Annotated[OfficerPrincipal, Depends(_officer)]
CurrentHolder = Annotated[Holder, Depends(_holder)]
CurrentInstitution = Annotated[InstitutionPrincipal, Depends(_institution)]


def install(app: FastAPI) -> None:
    async def to_login(_: Request, error: Exception) -> Response:
        login = error.login if isinstance(error, LoginRequired) else "/"
        return RedirectResponse(login, status_code=303)

    app.add_exception_handler(LoginRequired, to_login)
