"""The public: certificate query, verification, trust and status lists, health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from opcert.interfaces import throttle
from opcert.interfaces.api.dependencies import Ctx, JsonBody, require_object
from opcert.services.kernel import health
from opcert.services.verification import online as verification
from opcert.services.verification import publication
from opcert.services.verification import query as certificates

router = APIRouter(tags=["public / 公众"])
JOSE = "application/jose"


@router.get(
    "/api/v1/certificates",
    summary="证书查询 / public certificate query",
    responses=throttle.LIMITED_RESPONSES,
)
def query(
    ctx: Ctx, request: Request, id_number: str | None = None, name: str | None = None
) -> JSONResponse:
    """Both fields are required. 404 means the certificate is not on the national platform.
    429 with ``Retry-After`` when the address has used its queries (shared with the page)."""
    asker = throttle.client_ip(request)
    found = certificates.public_query(ctx, id_number, name, asker=asker)
    # The body is plain JSON types already: a JSONResponse skips FastAPI's generic encoder.
    return JSONResponse({"certificates": found})


@router.post("/api/v1/verify", summary="核验电子证照 / verify an SC1 credential")
async def verify(ctx: Ctx, body: JsonBody) -> dict[str, Any]:
    payload = require_object(body, "payload")["payload"]
    return await run_in_threadpool(verification.verify_online, ctx, payload)


@router.get("/.well-known/opcert/trust-list", summary="信任列表 / trust list (JWS)")
def trust_list(ctx: Ctx, request: Request) -> Response:
    signed = publication.trust_list(ctx)
    max_age = max(0, min(3600, signed.exp - int(ctx.now().timestamp())))
    return _cacheable(request, signed.jws, _etag(signed.jws), max_age)


@router.get("/.well-known/opcert/root-key", summary="国家根公钥 / national root key (JWK)")
def root_key(ctx: Ctx) -> JSONResponse:
    return JSONResponse(
        publication.root_key(ctx), headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/.well-known/opcert/status/{list_id}", summary="状态列表 / status list (JWS)")
def status_list(ctx: Ctx, request: Request, list_id: str) -> Response:
    signed = publication.status_list(ctx, list_id)
    return _cacheable(request, signed.jws, signed.etag, signed.ttl)


@router.get("/healthz", summary="健康检查 / health")
def healthz(ctx: Ctx) -> JSONResponse:
    """200 when the database answers. Where this process warms its status lists, also how far
    its last round got, so a deployment can send checks to it once it is warm."""
    report = health.report(ctx)
    return JSONResponse(report.body, status_code=200 if report.ok else 503)


def _etag(text: str) -> str:
    import hashlib

    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _cacheable(request: Request, body: str, etag: str, max_age: int) -> Response:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JOSE, headers=headers)
