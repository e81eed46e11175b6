"""Security headers on every response: the policy, and one ASGI middleware that adds it.

Pages get a Content-Security-Policy that allows scripts, styles and images from this origin only:
no inline script, no inline style, no ``eval``, nothing from a CDN, and no framing
(``frame-ancestors 'none'``, clickjacking). API responses and files (JSON, PDF, PNG) get a policy
that allows nothing at all, since nothing in them should ever run. Every response carries
``nosniff`` and a referrer policy; production adds HSTS (``OPCERT_ENV=production`` implies
HTTPS in front: a development server on plain HTTP must stay reachable).

Inline styles: no template has a ``style`` attribute or a ``<style>`` element, and the scripts
only set styles through the DOM (``element.hidden``, CSSOM), which CSP does not restrict; so
``style-src 'self'`` holds without ``'unsafe-inline'`` (a test renders every page and checks).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "media-src 'self'",
        "worker-src 'self'",  # the offline verifier's service worker (/verify-sw.js)
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The API docs page (Swagger UI, served from this origin): its stylesheet draws icons as
# data: SVG images; nothing else differs from the pages.
DOCS_POLICY = PAGE_POLICY.replace("img-src 'self'", "img-src 'self' data:")
DOCS_PATHS = frozenset({"/docs"})
# The service worker's own fetches (it keeps /verify and its scripts) are governed by the policy
# of its script's response: same origin only, and nothing else.
WORKER_POLICY = "default-src 'none'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
WORKER_PATHS = frozenset({"/verify-sw.js"})
NOTHING_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"  # two years

COMMON = {
    "X-Content-Type-Options": "nosniff",
    # Certificate numbers (which contain ID numbers) appear in page paths: another origin gets
    # at most our origin, never a path. Same-origin requests keep their Referer and Origin.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
    # The verify page scans with the camera, the directory asks for the location; nothing else.
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
}


def headers_for(path: str, content_type: str, *, production: bool) -> dict[str, str]:
    """The security headers of one response."""
    if content_type.startswith("text/html"):
        policy = DOCS_POLICY if path in DOCS_PATHS else PAGE_POLICY
    elif path in WORKER_PATHS:
        policy = WORKER_POLICY
    else:
        policy = NOTHING_POLICY
    headers = {"Content-Security-Policy": policy, **COMMON}
    if production:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Adds ``headers_for`` to every HTTP response; a header a route set itself is kept."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                wanted = headers_for(
                    path, headers.get("content-type", ""), production=self.production
                )
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, *, production: bool) -> None:
    app.add_middleware(SecurityHeaders, production=production)
