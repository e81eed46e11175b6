"""The page an officer gets when a service refuses: 403 for a role that may not act, 404 for an
object that is unknown or outside the officer's scope (the services make the two alike). It is
the error page family (``_error.html``) inside the officer's navigation."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from opcert.domain.errors import DomainError, Forbidden, NotFound
from opcert.interfaces.web.error_pages import error_page
from opcert.services.kernel.principals import OfficerPrincipal

REFUSALS = (Forbidden, NotFound)


def refusal(request: Request, officer: OfficerPrincipal, error: DomainError) -> Response:
    status = 403 if isinstance(error, Forbidden) else 404 if isinstance(error, NotFound) else 422
    return error_page(request, status, error=error, template="officer/error.html", officer=officer)
