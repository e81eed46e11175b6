"""Session cookies, the CSRF token bound to the session, and ``no-store`` on personal pages.

- Every cookie the pages set is ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` in production.
- A session cookie holds only the random session token; the store keeps its digest
  (``services.sessions``).
- The CSRF token of a form is an HMAC (``settings.secret("csrf")``) over the session cookies the
  browser holds, or, before any login, over a random pre-session cookie. A token copied from
  another session, or from before a login, is refused with 403.
- Responses under ``/holder``, ``/officer`` and ``/institution`` (pages, PDFs, QR images, error
  sheets) carry ``Cache-Control: no-store``, so no shared or browser cache keeps them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OFFICER_COOKIE = "opcert_officer"
HOLDER_COOKIE = "opcert_holder"
INSTITUTION_COOKIE = "opcert_institution"
SESSION_COOKIES = (OFFICER_COOKIE, HOLDER_COOKIE, INSTITUTION_COOKIE)
PRE_SESSION_COOKIE = "opcert_csrf"
PERSONAL_PREFIXES = ("/holder", "/officer", "/institution")


def _production(request: Request) -> bool:
    return bool(request.app.state.platform.settings.env == "production")


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_production(request),
        path="/",
    )


def delete_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, httponly=True, samesite="lax", secure=_production(request), path="/"
    )


# CSRF


def _binding(request: Request) -> str | None:
    held = [
        f"{name}={request.cookies[name]}" for name in SESSION_COOKIES if request.cookies.get(name)
    ]
    if held:
        return "session|" + "|".join(held)
    pre = request.cookies.get(PRE_SESSION_COOKIE) or getattr(request.state, "pre_session", None)
    return f"anonymous|{pre}" if pre else None


def _sign(request: Request, binding: str) -> str:
    key: bytes = request.app.state.platform.settings.secret("csrf")
    mac = hmac.new(key, binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def form_token(request: Request) -> str:
    """The CSRF token for forms on this page; makes a pre-session value when there is none."""
    binding = _binding(request)
    if binding is None:
        request.state.pre_session = secrets.token_urlsafe(24)
        binding = f"anonymous|{request.state.pre_session}"  # what _binding now reads
    return _sign(request, binding)


def keep_pre_session(request: Request, response: Response) -> None:
    """Set the pre-session cookie that ``form_token`` made for this response, if it made one."""
    made = getattr(request.state, "pre_session", None)
    if made and request.cookies.get(PRE_SESSION_COOKIE) != made:
        set_cookie(request, response, PRE_SESSION_COOKIE, made)


def token_matches(request: Request, submitted: str | None) -> bool:
    binding = _binding(request)
    if binding is None or not submitted:
        return False
    return hmac.compare_digest(_sign(request, binding).encode(), submitted.encode())


# no-store


class NoStoreOnPersonalPages:
    """ASGI middleware: ``Cache-Control: no-store`` on every response of a personal path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not any(path == p or path.startswith(p + "/") for p in PERSONAL_PREFIXES):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in (b"cache-control", b"pragma")
                ]
                headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)
