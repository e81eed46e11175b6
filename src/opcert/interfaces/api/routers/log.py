"""The transparency log of issuance over HTTP (spec section 8): the signed checkpoint, C2SP
tiles and entry bundles under ``/.well-known/opcert/log/``, and one credential's tlog-proof."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from opcert.credential.tlog_tiles import TILE_WIDTH, parse_tile_path
from opcert.domain.errors import FieldError, NotFound
from opcert.interfaces.api.dependencies import Ctx
from opcert.services.issuance import log as transparency_log

router = APIRouter(tags=["transparency log / 透明日志"])
_CTI = re.compile(r"[0-9a-fA-F]{32}")
_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
}
_BINARY: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "C2SP tile (32-byte hashes) or entry bundle",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
}


@router.get(
    "/.well-known/opcert/log/checkpoint",
    summary="透明日志检查点 / log checkpoint (C2SP signed note)",
    response_class=PlainTextResponse,
    responses=_TEXT,
)
async def checkpoint(ctx: Ctx) -> PlainTextResponse:
    """The latest tree head as a C2SP tlog-checkpoint, signed by the root (or ``CN-LOG``) key."""
    note = await run_in_threadpool(transparency_log.checkpoint_note, ctx)
    return PlainTextResponse(note, headers={"Cache-Control": "public, max-age=10"})


@router.get(
    "/.well-known/opcert/log/tile/{tile:path}",
    summary="日志瓦片 / log tile or entry bundle (C2SP tlog-tiles)",
    response_class=Response,
    responses=_BINARY,
)
def tile(ctx: Ctx, tile: str) -> Response:
    """``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``; 404 for any other path and
    for a tile the log has not reached. Full tiles never change."""
    try:
        ref = parse_tile_path(f"tile/{tile}")
    except ValueError:
        raise _no_tile() from None
    body = transparency_log.tile(ctx, ref)
    if body is None:
        raise _no_tile()
    immutable = ref.width == TILE_WIDTH
    cache = "public, max-age=31536000, immutable" if immutable else "public, max-age=60"
    return Response(body, media_type="application/octet-stream", headers={"Cache-Control": cache})


@router.get(
    "/api/v1/log/proof",
    summary="凭证的日志包含证明 / inclusion proof of a credential (C2SP tlog-proof)",
    response_class=PlainTextResponse,
    responses=_TEXT,
)
async def proof(ctx: Ctx, cti: str | None = None) -> PlainTextResponse:
    """The tlog-proof of the credential whose ``cti`` (32 hex digits) is given, for offline use
    (``opcert verify --log-proof FILE``). 404 when no logged credential has that ``cti``."""
    if cti is None or not _CTI.fullmatch(cti):
        raise FieldError(
            "cti", "INVALID_CTI", "cti 应为 32 位十六进制数", "cti is 32 hexadecimal digits"
        )
    text = await run_in_threadpool(transparency_log.proof_for, ctx, cti)
    return PlainTextResponse(text, headers={"Cache-Control": "no-store"})


def _no_tile() -> NotFound:
    return NotFound("NO_SUCH_TILE", "日志中没有该瓦片", "the log holds no such tile")
