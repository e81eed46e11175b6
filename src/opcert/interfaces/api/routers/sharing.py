"""Data sharing over HTTP (issue 17): the pull feed and outcome feedback for subscribers (their
``osk_`` API key), and the platform's public webhook key for ``v1a`` (Ed25519) signatures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from opcert.interfaces.api.dependencies import Ctx, JsonBody, SharingSubscriber, require_object
from opcert.services.sharing import feed, feedback, schemas, webhooks

router = APIRouter(tags=["data sharing / 数据共享"])
_NO_STORE = {"Cache-Control": "no-store"}
_EVENTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "事件（CloudEvents 1.0 JSON）/ events as CloudEvents 1.0 JSON objects",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["events", "cursor", "more"],
                    "properties": {
                        "events": {"type": "array", "items": {"type": "object"}},
                        "cursor": {"type": "string"},
                        "more": {"type": "boolean"},
                    },
                }
            }
        },
    }
}
_RECORDED_SCHEMA = {
    "type": "object",
    "required": ["id", "ref", "created"],
    "properties": {
        "id": {"type": "integer"},
        "ref": {"type": "string"},
        "created": {"type": "boolean"},
    },
}
_FEEDBACK: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "已记录 / recorded",
        "content": {"application/json": {"schema": _RECORDED_SCHEMA}},
    },
    200: {
        "description": "同一 ref 已记录过，返回原记录 / this ref was recorded before: the record",
        "content": {"application/json": {"schema": _RECORDED_SCHEMA}},
    },
}
_KEY: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "平台 Webhook 公钥 / the platform's webhook public key",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["key", "alg"],
                    "properties": {"key": {"type": "string"}, "alg": {"type": "string"}},
                }
            }
        },
    }
}


@router.get(
    "/api/v1/events",
    summary="拉取事件 / the pull feed of events",
    response_class=JSONResponse,
    responses=_EVENTS,
)
def events(
    ctx: Ctx, subscriber: SharingSubscriber, after: str | None = None, limit: str | None = None
) -> JSONResponse:
    """The events the subscriber's grant covers after ``after`` (the ``cursor`` of the previous
    page; none at first), oldest first, at most ``limit`` (1-1000, default 100), each minimised
    to the granted fields as its webhook is. ``more`` says whether to ask again at once."""
    start, count = feed.parse_cursor(after), feed.parse_limit(limit)
    found = feed.page(ctx, subscriber, start, count)
    body = {"events": found.events, "cursor": found.cursor, "more": found.more}
    return JSONResponse(body, headers=_NO_STORE)


@router.post(
    "/api/v1/feedback",
    summary="反馈处理结果 / feed back an outcome",
    status_code=201,
    response_class=JSONResponse,
    responses=_FEEDBACK,
)
async def post_feedback(ctx: Ctx, subscriber: SharingSubscriber, body: JsonBody) -> JSONResponse:
    """``{"ref", "certificate_number", "item", "kind", "detail", "occurred_on"?, "event_id"?}``;
    ``kind`` is ``enforcement``, ``removed_from_duty`` or ``receipt``. 201 when recorded; 200
    with ``created: false`` when the same ``ref`` was recorded before with the same content;
    409 when the ``ref`` was used for another outcome; 403 for a certificate outside the
    subscriber's grant (or not on the platform)."""
    payload = require_object(body)
    done = await run_in_threadpool(feedback.record, ctx, subscriber, payload)
    answer = {"id": done.id, "ref": done.ref, "created": done.created}
    return JSONResponse(answer, status_code=201 if done.created else 200, headers=_NO_STORE)


@router.get(
    "/.well-known/opcert/webhook-key",
    summary="平台 Webhook 公钥 / the platform's webhook public key (v1a)",
    response_class=JSONResponse,
    responses=_KEY,
)
def webhook_key(ctx: Ctx) -> Response:
    """The Ed25519 key that signs ``v1a`` webhook signatures, in the Standard Webhooks form
    ``whpk_<base64 of the raw 32 bytes>``. It is not an issuer key and is not in the trust list."""
    key = webhooks.webhook_public_key(ctx.sharing_config())
    return JSONResponse(
        {"key": key, "alg": "Ed25519"}, headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get(
    "/docs/events/{name}",
    summary="事件数据的 JSON Schema / the JSON Schema of an event type's data",
    response_class=Response,
    responses={200: {"content": {"application/schema+json": {}}}},
)
def event_schema(name: str) -> Response:
    """``docs/events/<type>.schema.json``: what each event's ``dataschema`` points to."""
    return Response(
        schemas.event_schema(name),
        media_type="application/schema+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )
