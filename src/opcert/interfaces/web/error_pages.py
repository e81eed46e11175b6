"""The error pages a browser gets: one template family (``_error.html``, wrapped by ``error.html``
and by ``officer/error.html``) for 400, 403, 404, 405, 413, 422, 429, 503, an expired form and 500.

Under the API (``/api/``, ``/.well-known/``) every error stays problem+json (``api.errors``);
everywhere else a refusal is a page in the visitor's language with a plain explanation and a way
back: home, the page they came from when it is on this site, and the login of the area (officer,
holder, institution). No page shows an exception's own text: only the bilingual messages the
services write for people (a ``DomainError``), or the page's fixed explanation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from opcert.domain.errors import DomainError
from opcert.interfaces.api.security_headers import headers_for
from opcert.interfaces.web.holder_session import current_holder
from opcert.interfaces.web.i18n import has_page
from opcert.interfaces.web.institution_session import current_institution
from opcert.interfaces.web.officer_session import current_officer
from opcert.interfaces.web.pages import FormExpired, render

__all__ = ["FORM_EXPIRED", "FormExpired", "error_page", "local_url", "server_error_page"]

log = logging.getLogger("opcert.web.errors")

# The page kind of each status; a status not listed is a 400 "bad request" page.
KIND_BY_STATUS = {
    400: "bad_request",
    401: "forbidden",
    403: "forbidden",
    404: "not_found",
    405: "method",
    409: "bad_request",
    413: "too_large",
    422: "refused",
    429: "rate_limited",
    500: "server",
    503: "unavailable",
}
FORM_EXPIRED = "form_expired"
# Each area of a role: its login, and the page a logged-in visitor of that role starts from.
AREAS: tuple[tuple[str, str, str, Callable[[Request], object | None]], ...] = (
    ("/officer", "/officer/login", "/officer/queue", current_officer),
    ("/holder", "/holder/login", "/holder/certificates", current_holder),
    ("/institution", "/institution/login", "/institution/upload", current_institution),
)
# When the page itself cannot be rendered (the failure is in rendering): still a page, no detail.
LAST_RESORT = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>系统出错了 / Something went wrong</title>"
    '<link rel="stylesheet" href="/static/web/site.css"></head><body>'
    '<main id="main" class="wrap"><h1>系统出错了</h1>'
    "<p>平台在处理您的请求时出错，请稍后再试。</p>"
    '<p lang="en">Something went wrong on our side. Please try again later.</p>'
    '<p><a href="/">返回首页 / Home</a></p></main></body></html>'
)


@dataclass(frozen=True)
class Way:
    """One way back from an error page: where it goes and which label it wears."""

    href: str
    label: str  # home | back | form | login-<area> | start-<area> (_error_texts.html)


def local_url(url: str | None, request: Request) -> str | None:
    """``url`` as a path (and query) on this site, or None: another host or scheme, a
    protocol-relative ``//host`` or ``/\\host``, a control character, or no URL at all."""
    if not url or len(url) > 2000 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https"):
        return None
    if (parts.scheme or parts.netloc) and parts.netloc != request.url.netloc:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    # A backslash in the query is harmless, but it is percent-encoded so that no browser's
    # lenient parsing ever sees one in a link (found by hypothesis: ``?\\``).
    query = parts.query.replace("\\", "%5C")
    return path + (f"?{query}" if query else "")


def ways_back(request: Request, kind: str) -> list[Way]:
    """Where the visitor can go from here: the page they came from (a form that failed: its GET
    page), the login of the area they are in, and home."""
    path = request.url.path
    ways: list[Way] = []
    came_from = local_url(request.headers.get("referer"), request)
    if came_from is None and request.method != "GET" and has_page(request, path):
        came_from = path
    here = path + (f"?{request.url.query}" if request.url.query else "")
    if came_from is not None and not (request.method == "GET" and came_from == here):
        ways.append(Way(came_from, "form" if kind == FORM_EXPIRED else "back"))
    for area, login, start, logged_in in AREAS:
        if path != area and not path.startswith(area + "/"):
            continue
        name = area.strip("/")
        if logged_in(request) is not None:
            ways.append(Way(start, "start-" + name))
        elif path != login:
            ways.append(Way(login, "login-" + name))
    ways.append(Way("/", "home"))
    return ways


def error_page(
    request: Request,
    status: int,
    *,
    kind: str | None = None,
    error: DomainError | None = None,
    retry_after: int | None = None,
    template: str = "error.html",
    **context: object,
) -> Response:
    """The error page of ``status`` (its kind, or ``kind``), with the domain error's own
    message when there is one; ``Retry-After`` when a retry time is known."""
    kind = kind or KIND_BY_STATUS.get(status, "bad_request")
    response = render(
        request,
        template,
        status,
        kind=kind,
        code=status,
        error=error,
        retry_after=retry_after,
        ways=ways_back(request, kind),
        **context,
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def server_error_page(request: Request) -> Response:
    """The 500 page; the page that cannot even render itself falls back to ``LAST_RESORT``."""
    response: Response
    try:
        response = error_page(request, 500)
    except Exception:
        log.exception("the 500 page could not be rendered")
        response = HTMLResponse(LAST_RESORT, status_code=500)
    # Answered outside the middleware that adds them (Starlette's last-resort handler).
    production = request.app.state.platform.settings.env == "production"
    response.headers.update(headers_for(request.url.path, "text/html", production=production))
    response.headers["Cache-Control"] = "no-store"
    return response
