"""The page an officer gets when a service refuses: 403 for a role that may not act, 404 for an
object that is unknown or outside the officer's scope (the services make the two alike)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from opcert.domain.errors import DomainError, Forbidden, NotFound
from opcert.interfaces.web.pages import render
from opcert.services.kernel.principals import OfficerPrincipal

REFUSALS = (Forbidden, NotFound)


def refusal(request: Request, officer: OfficerPrincipal, error: DomainError) -> Response:
    status = 403 if isinstance(error, Forbidden) else 404 if isinstance(error, NotFound) else 422
    return render(request, "officer/error.html", status, officer=officer, error=error)
