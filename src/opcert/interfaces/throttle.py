"""The abuse policy at the HTTP edge, shared by the API and the pages: the client address of a
request and one call per limit. The policy itself is ``opcert.services.abuse``, built once per
process by ``opcert.bootstrap`` (``platform.abuse``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from opcert.services.abuse import AbuseControls

_PROBLEM: dict[str, Any] = {"application/problem+json": {}}
# For the OpenAPI document of every limited operation.
LIMITED_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "请求过于频繁，见 Retry-After / too many requests: see Retry-After",
        "content": _PROBLEM,
    },
    503: {
        "description": "限流存储不可用，见 Retry-After / the rate-limit store is down",
        "content": _PROBLEM,
    },
}


def controls(request: Request) -> AbuseControls:
    abuse: AbuseControls = request.app.state.platform.abuse
    return abuse


def client_ip(request: Request) -> str:
    """The direct peer, or the client named by ``X-Forwarded-For`` when the peer is one of
    ``OPCERT_TRUSTED_PROXIES`` (see ``services.abuse.addresses``)."""
    peer = request.client.host if request.client else None
    return controls(request).client_address(peer, request.headers.getlist("x-forwarded-for"))


def limit(request: Request, name: str, subject: str | None = None) -> None:
    """Count this request against limit ``name`` for ``subject`` (default: the client address);
    raises TooManyRequests, which the app answers with 429 and ``Retry-After``."""
    controls(request).hit(name, client_ip(request) if subject is None else subject)


async def limit_async(request: Request, name: str, subject: str | None = None) -> None:
    """``limit`` from an async route: the store may be Redis, so off the event loop."""
    await run_in_threadpool(limit, request, name, subject)
