"""Annotated dependency aliases shared by every router."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from opcert.domain.errors import DomainError, FieldError
from opcert.services import registry
from opcert.services.context import ServiceContext
from opcert.services.principals import InstitutionPrincipal, OfficerPrincipal


class MalformedJson(DomainError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "MALFORMED_JSON",
            f"请求体不是有效的 JSON：{detail}",
            f"the request body is not valid JSON: {detail}",
            field="body",
        )


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
    return registry.authenticate_institution(ctx, bearer(request))


def get_officer(
    request: Request, ctx: Annotated[ServiceContext, Depends(get_ctx)]
) -> OfficerPrincipal:
    return registry.authenticate_officer(ctx, bearer(request))


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise MalformedJson("empty body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson(str(error)) from None


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
JsonBody = Annotated[Any, Depends(json_body)]
