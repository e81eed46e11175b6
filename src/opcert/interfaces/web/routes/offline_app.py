"""The installable offline verifier of /verify: web manifest, service worker, and its config.

The service worker is served from the site root (``/verify-sw.js``) so that its scope may hold
``/verify`` and the assets under ``/static/web``; it answers only for those (see the script).
``/verify/offline.json`` gives the page what it pins at install: the root key and the lowercase
hex SHA-256 fingerprint of its SPKI DER (spec section 4), and the ids of every status list, so that
the page keeps all of them (fetching only the one being checked would tell the server whose
certificate is checked, and the page could not verify another certificate offline).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from opcert.interfaces.web.pages import ctx_of
from opcert.services.verification import publication

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parents[1] / "static"
NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/verify-sw.js")
def service_worker() -> Response:
    headers = {**NO_CACHE, "Service-Worker-Allowed": "/"}
    return FileResponse(STATIC / "offline" / "sw.js", media_type="text/javascript", headers=headers)


@router.get("/verify.webmanifest")
def manifest(request: Request) -> JSONResponse:
    english = request.query_params.get("lang") == "en"
    body = {
        "name": "Certificate verifier (offline)" if english else "特种作业操作证扫码核验（离线）",
        "short_name": "Verify" if english else "证书核验",
        "lang": "en" if english else "zh-CN",
        "start_url": "/verify",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f9c",
        "icons": [
            {"src": "/static/web/favicon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json", headers=NO_CACHE)


@router.get("/verify/offline.json")
def offline_config(request: Request) -> JSONResponse:
    return JSONResponse(publication.offline_config(ctx_of(request)), headers=NO_CACHE)
