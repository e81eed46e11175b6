"""Input hygiene at the edge: the path, the query and every form field of every request pass
``opcert.domain.unsafe_text`` before any route sees them (JSON bodies pass it in the one JSON
decoder, ``json_input.decode_json``).

A refused request gets 422 and never reaches a service or the database:

- under the API (``/api/``, ``/.well-known/``, ``/healthz``, ``/openapi.json``): problem+json
  naming the field and the character;
- on a page: the page's own form again (its GET route, rendered with the message), or, where
  the path itself is refused or the form has no page of its own, a short page with the message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opcert.domain.errors import DomainError, FieldError
from opcert.domain.unsafe_text import first_unsafe, unsafe_character
from opcert.interfaces.api.errors import field_errors, problem, status_for
from opcert.interfaces.api.json_input import BodyTooLarge
from opcert.interfaces.web import error_pages
from opcert.services.uploads.limits import SHEET_LIMITS

API_PREFIXES = ("/api/", "/.well-known/", "/healthz", "/openapi.json", "/docs")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# What the middleware reads before a route does: a plain form is small; a multipart form is at
# most the largest upload (the results sheet) and its fields. A route then refuses a file over its
# own limit with its own page; past this, the body is not read on (413).
MAX_FORM_BYTES = 1024 * 1024
MAX_MULTIPART_BYTES = SHEET_LIMITS.max_bytes + 1024 * 1024
REFUSED_STATE = "refused_input"


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def url_refusal(scope: Scope) -> FieldError | None:
    """The first unsafe character of the path or of a query parameter (key or value)."""
    char = first_unsafe(scope.get("path", ""))
    if char is not None:
        return unsafe_character("path", char)
    return query_refusal(scope)


def query_refusal(scope: Scope) -> FieldError | None:
    # Parsed exactly as Starlette parses it, so what is checked is what a route reads.
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        for text in (key, value):
            char = first_unsafe(text)
            if char is not None:
                return unsafe_character(_field(key, "query"), char)
    return None


async def form_refusal(scope: Scope, receive: Receive) -> FieldError | None:
    """The first unsafe character of a form field's name or value or an uploaded file's name."""
    async with Request(scope, receive).form() as form:
        for key, value in form.multi_items():
            field = _field(key, "form")
            texts = [key, value.filename or ""] if isinstance(value, UploadFile) else [key, value]
            for text in texts:
                char = first_unsafe(text)
                if char is not None:
                    return unsafe_character(field, char)
    return None


def _field(key: str, otherwise: str) -> str:
    """The name under which a refusal is reported: the key, unless it cannot be shown."""
    return key if key and first_unsafe(key) is None else otherwise


class InputHygiene:
    """Pure ASGI middleware (it must see the body before a route does, and replay it after)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = url_refusal(scope)
        if refusal is not None:
            await self._refuse(scope, send, refusal, form=False)
            return
        content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        if content_type not in FORM_TYPES:
            await self.app(scope, receive, send)
            return
        try:
            limit = MAX_MULTIPART_BYTES if content_type == "multipart/form-data" else MAX_FORM_BYTES
            body = await read_body(receive, limit)
        except BodyTooLarge as error:
            await self._refuse(scope, send, error, form=False)
            return
        try:
            refusal = await form_refusal(scope, replay(body))
        except Exception:
            # A form Starlette cannot parse is the route's to refuse, exactly as without us.
            refusal = None
        if refusal is not None:
            await self._refuse(scope, send, refusal, form=True)
            return
        await self.app(scope, replay(body, receive), send)

    async def _refuse(self, scope: Scope, send: Send, error: DomainError, *, form: bool) -> None:
        if is_api(scope.get("path", "")):
            response = problem(
                status_for(error),
                error.code,
                error.message_zh,
                error.message_en,
                field_errors(error),
            )
            await response(scope, replay(b""), send)
            return
        if not isinstance(error, FieldError):  # a page's body too large: the 413 page, whose
            # words say it without the API's byte count
            answer = error_pages.error_page(Request(scope), status_for(error))
            await answer(scope, replay(b""), send)
            return
        state = {**scope.get("state", {}), REFUSED_STATE: error}
        page = _form_page(scope, form)
        if page is not None:
            page["state"] = state
            await self.app(page, replay(b""), _as_422(send))
            return
        scope = {**scope, "state": state}
        await error_pages.error_page(Request(scope), 422)(scope, replay(b""), send)


def _form_page(scope: Scope, form: bool) -> Scope | None:
    """The GET scope of the page a refused form (or query) came from, when that page exists."""
    if first_unsafe(scope.get("path", "")) is not None:
        return None
    if not form and scope.get("method") != "GET":
        return None
    page: Scope = dict(scope)
    page.update(method="GET", query_string=b"", headers=_without_body(scope["headers"]))
    app = scope.get("app")
    for route in getattr(getattr(app, "router", None), "routes", []):
        match, _ = route.matches(page)
        if match == Match.FULL:
            return page
    return None


def _without_body(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    dropped = (b"content-type", b"content-length", b"transfer-encoding")
    return [(k, v) for k, v in headers if k.lower() not in dropped]


def _as_422(send: Send) -> Send:
    """The form page, answered 422; a redirect (to a login page) is passed on as it is."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            message = {**message, "status": 422}
        await send(message)

    return sending


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; raises ``BodyTooLarge`` past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(
    body: bytes, then: Receive | None = None
) -> Callable[[], Awaitable[MutableMapping[str, Any]]]:
    """A receive callable that hands out ``body`` once, then waits as a connected client would.

    Waiting (not answering ``http.disconnect`` at once) matters: a streamed or file response
    listens for a disconnect while it sends, and would stop before its first byte. With ``then``
    (the connection's own receive, its body already read), a real disconnect is still heard."""
    sent = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is not None:
            return await then()
        await anyio.sleep_forever()
        return {"type": "http.disconnect"}  # never reached: the response task is cancelled

    return receive
