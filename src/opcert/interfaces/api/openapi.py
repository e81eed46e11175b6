"""The OpenAPI description says what the API really answers.

FastAPI describes what it can see: parameters and the success body. It cannot see the bodies
read through the one JSON decoder (``dependencies.json_body``), nor the problem+json errors the
error table (``errors.py``) and the input hygiene (``hygiene.py``) send. This module adds both,
from the routes themselves:

- every operation: 400 (malformed request), 422 (a field refused, naming it) and 429 (too many
  requests), as ``application/problem+json``;
- operations with a body: 413 (too large);
- operations behind an officer token or an institution API key: the ``bearer`` security scheme,
  401 and 403;
- operations with a path parameter or that look something up: 404; those that change state: 409;
- the bodies of the JSON operations (``REQUEST_BODIES``), as docs/api.md documents them.

``tests/security/test_schemathesis.py`` holds the description to the answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from opcert.interfaces.api.dependencies import (
    get_institution,
    get_officer,
    get_subscriber,
    json_body,
)
from opcert.services.intake.validation import FIELDS

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; ``errors`` names each field at fault.",
    "required": ["type", "title", "status", "code", "detail", "detail_en", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "detail_en": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message", "message_en"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "message_en": {"type": "string"},
                },
            },
        },
    },
}
DESCRIPTIONS = {
    "400": "请求格式有误 / malformed request (e.g. not JSON)",
    "401": "未认证 / missing or invalid credentials",
    "403": "无权操作 / not allowed for this account",
    "404": "未找到 / not found",
    "409": "冲突 / conflicts with the current state",
    "413": "请求过大 / request body or batch too large",
    "422": "输入有误 / a field is refused; the problem names it",
    "429": "请求过多 / too many requests",
}
_ROW_PROPERTIES: dict[str, Any] = {
    field: {"type": ["string", "number", "null"]}
    if field.endswith("_score")
    else {"type": ["string", "null"]}
    for field in FIELDS
}
REQUEST_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/exam-results"): {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {"type": "object", "properties": _ROW_PROPERTIES},
            }
        },
    },
    ("POST", "/api/v1/verify"): {
        "type": "object",
        "required": ["payload"],
        "properties": {"payload": {"type": "string", "description": "SC1:..."}},
    },
    ("POST", "/api/v1/applications/{application_id}/decision"): {
        "type": "object",
        "required": ["decision"],
        "properties": {
            "decision": {"type": "string", "enum": ["approve", "reject"]},
            "reason": {"type": "string"},
        },
    },
    ("POST", "/api/v1/feedback"): {  # --- sharing ---
        "type": "object",
        "required": ["ref", "certificate_number", "item", "kind", "detail"],
        "properties": {
            "ref": {"type": "string", "maxLength": 64},
            "certificate_number": {"type": "string"},
            "item": {"type": "string"},
            "kind": {"type": "string", "enum": ["enforcement", "removed_from_duty", "receipt"]},
            "detail": {"type": "string", "maxLength": 2000},
            "occurred_on": {"type": "string", "format": "date"},
            "event_id": {"type": "string"},
        },
    },
}
# Answers that the rules below cannot see from the route: a failed login is 401.
EXTRA_CODES: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/v1/auth/token"): {"401"},
    ("POST", "/api/v1/feedback"): {"404"},  # an ``event_id`` that is not this certificate's
}
JOSE_OPERATIONS = {"/.well-known/opcert/trust-list", "/.well-known/opcert/status/{list_id}"}


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the description built once from the routes."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer"}
    # Included routers stay nested in app.routes; this walks them as get_openapi does.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = context.path_format or route.path_format
        for method in context.methods or ():
            _complete(schema["paths"][path][method.lower()], route, path, method)
    return schema


def _complete(operation: dict[str, Any], route: APIRoute, path: str, method: str) -> None:
    calls = set(_calls(route))
    body = REQUEST_BODIES.get((method, path))
    if body is not None and json_body in calls:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    codes = {"400", "422", "429"}
    if method != "GET":
        codes |= {"413", "409"}
    if calls & {get_officer, get_institution, get_subscriber}:
        operation["security"] = [{"bearer": []}]
        codes |= {"401", "403"}
    if route.dependant.path_params or method == "GET":
        codes.add("404")
    codes |= EXTRA_CODES.get((method, path), set())
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        responses[code] = {
            "description": DESCRIPTIONS[code],
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    if path in JOSE_OPERATIONS:
        responses["200"] = {
            "description": "JWS (compact serialisation)",
            "content": {"application/jose": {"schema": {"type": "string"}}},
        }
        responses["304"] = {"description": "未修改 / not modified (If-None-Match)"}
    if path == "/healthz":
        responses["503"] = {"description": "数据库不可用 / the database does not answer"}


def _calls(route: APIRoute) -> list[object]:
    found: list[object] = []
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        found.append(dependency.call)
        pending.extend(dependency.dependencies)
    return found
