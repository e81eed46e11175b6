"""Every API error rendered as problem+json (RFC 9457); the status of a domain error comes from
the table the pages share, ``interfaces.http_errors``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from opcert.domain.errors import DomainError, ValidationFailed
from opcert.interfaces.http_errors import STATUS_BY_ERROR, status_for
from opcert.interfaces.web import error_pages
from opcert.services.intake.pipeline import BatchTooLarge

__all__ = ["STATUS_BY_ERROR", "field_errors", "install", "problem", "status_for"]

TITLES = {
    400: "请求有误",
    401: "未认证",
    403: "无权操作",
    404: "未找到",
    409: "冲突",
    413: "请求过大",
    422: "输入有误",
    429: "请求过多",
    500: "服务器内部错误",
    503: "服务暂不可用",
}


def problem(
    status: int,
    code: str,
    detail: str,
    detail_en: str,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://opcert.example/problems/{code.lower().replace('_', '-')}",
        "title": TITLES.get(status, "错误"),
        "status": status,
        "code": code,
        "detail": detail,
        "detail_en": detail_en,
        "errors": errors or [],
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def field_errors(error: DomainError) -> list[dict[str, str]]:
    if isinstance(error, ValidationFailed):
        return [_one(e) for e in error.errors]
    listed = getattr(error, "errors", None)
    if listed:
        return [_one(e) for e in listed]
    return [_one(error)] if error.field else []


def _one(error: DomainError) -> dict[str, str]:
    return {
        "field": error.field or "",
        "code": error.code,
        "message": error.message_zh,
        "message_en": error.message_en,
    }


# Paths whose errors are problem+json, as docs/api.md and the OpenAPI description say. The
# event schemas (``/docs/events/``) are read by programs following a ``dataschema``, not people.
API_PATHS = ("/api/", "/.well-known/", "/docs/events/")
# Answers for programs outside the API: their HTTP errors stay FastAPI's short JSON.
MACHINE_PATHS = frozenset({"/healthz", "/openapi.json"})


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """A path no API route matches (a tile path with a newline, say) or another HTTP error
        under the API answers problem+json like every API error; a page gets the error page of
        its status (never the exception's text)."""
        if request.url.path in MACHINE_PATHS:
            return await http_exception_handler(request, error)
        if not request.url.path.startswith(API_PATHS):
            page = error_pages.error_page(request, error.status_code)
            page.headers.update(error.headers or {})  # Allow on a 405
            return page
        zh, en = (
            ("未找到", "not found")
            if error.status_code == 404
            else ("请求被拒绝", str(error.detail))
        )
        return problem(error.status_code, "HTTP_" + str(error.status_code), zh, en, [])

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        if not request.url.path.startswith(API_PATHS):
            return error_pages.error_page(request, status_for(error), error=error)
        extra = {"limit": error.limit} if isinstance(error, BatchTooLarge) else {}
        return problem(
            status_for(error),
            error.code,
            error.message_zh,
            error.message_en,
            field_errors(error),
            **extra,
        )

    _install_last_resorts(app)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [_pydantic_error(e) for e in error.errors()]
        malformed = any(e["code"] == "json_invalid" for e in errors)
        if malformed:
            return problem(
                400,
                "MALFORMED_JSON",
                "请求体不是有效的 JSON",
                "the request body is not valid JSON",
                errors,
            )
        return problem(422, "VALIDATION_FAILED", "请求内容有误", "the request is invalid", errors)


def _install_last_resorts(app: FastAPI) -> None:
    """The expired form (pages only) and the last resort (500) on the API and the pages."""

    @app.exception_handler(error_pages.FormExpired)
    async def form_expired(request: Request, _: Exception) -> Response:
        return error_pages.error_page(request, 403, kind=error_pages.FORM_EXPIRED)

    @app.exception_handler(Exception)
    async def server_error(request: Request, _: Exception) -> Response:
        """The last resort (Starlette logs the exception and re-raises it after this answer):
        problem+json under the API, the 500 page elsewhere; neither says what failed."""
        if request.url.path.startswith(API_PATHS):
            return problem(
                500,
                "INTERNAL_ERROR",
                "服务器内部错误，请稍后再试",
                "internal server error: please try again later",
            )
        return error_pages.server_error_page(request)


def _pydantic_error(error: Any) -> dict[str, str]:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "form")]
    field = ".".join(location) or "body"
    return {
        "field": field,
        "code": str(error.get("type", "invalid")),
        "message": _zh(error),
        "message_en": str(error.get("msg", "invalid")),
    }


def _zh(error: Any) -> str:
    kind = str(error.get("type", ""))
    return {
        "missing": "缺少必填字段",
        "json_invalid": "JSON 格式错误",
        "list_type": "应为列表",
        "dict_type": "应为对象",
        "string_type": "应为文本",
        "model_attributes_type": "应为对象",
    }.get(kind, "内容无效")
