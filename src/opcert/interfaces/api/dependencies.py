"""Annotated dependency aliases shared by every router."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from opcert.domain.errors import FieldError
from opcert.interfaces.api.json_input import MAX_BODY_BYTES, BodyTooLarge, decode_json
from opcert.services.kernel import authentication
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal
from opcert.services.sharing import subscribers


async def get_ctx(request: Request) -> ServiceContext:
    # async: a plain function dependency would cost every request a hop through the threadpool.
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def get_institution(
    request: Request, ctx: Annotated[ServiceContext, Depends(get_ctx)]
) -> InstitutionPrincipal:
    return authentication.authenticate_institution(ctx, bearer(request))


def get_officer(
    request: Request, ctx: Annotated[ServiceContext, Depends(get_ctx)]
) -> OfficerPrincipal:
    return authentication.authenticate_officer(ctx, bearer(request))


def get_subscriber(request: Request, ctx: Annotated[ServiceContext, Depends(get_ctx)]) -> Any:
    """The active data-sharing subscriber whose ``osk_`` key the request carries (401 without)."""
    return subscribers.authenticate(ctx, bearer(request))


async def json_body(request: Request) -> Any:
    """The body through the one JSON decoder: bounded size, depth and integers, safe text."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(MAX_BODY_BYTES)
        chunks.append(chunk)
    return decode_json(b"".join(chunks))


def require_object(body: Any, *keys: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise FieldError(
            "body", "NOT_OBJECT", "请求体应为 JSON 对象", "the body must be a JSON object"
        )
    for key in keys:
        if key not in body:
            raise FieldError(key, "REQUIRED", f"缺少字段 {key}", f"missing field {key}")
    return body


Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Institution = Annotated[InstitutionPrincipal, Depends(get_institution)]
Officer = Annotated[OfficerPrincipal, Depends(get_officer)]
SharingSubscriber = Annotated[Any, Depends(get_subscriber)]  # --- sharing ---
JsonBody = Annotated[Any, Depends(json_body)]
