"""How the app answers a refusal of the abuse policy: 429 (or 503 when the shared store is
down) with ``Retry-After``; problem+json on the API, the error page (saying when to try again)
everywhere else."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from opcert.interfaces.api.errors import problem
from opcert.interfaces.web.error_pages import error_page
from opcert.services.abuse import AbuseStoreUnavailable, TooManyRequests


def install(app: FastAPI) -> None:
    async def refused(request: Request, error: Exception) -> Response:
        if not isinstance(error, TooManyRequests | AbuseStoreUnavailable):
            raise error  # installed for these two only
        status = 429 if isinstance(error, TooManyRequests) else 503
        if not request.url.path.startswith("/api/"):
            return error_page(request, status, error=error, retry_after=error.retry_after)
        response = problem(
            status,
            error.code,
            error.message_zh,
            error.message_en,
            retry_after=error.retry_after,
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    app.add_exception_handler(TooManyRequests, refused)
    app.add_exception_handler(AbuseStoreUnavailable, refused)
