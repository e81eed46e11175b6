"""The FastAPI application: API routers, problem+json errors, local API docs (no CDN)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from swagger_ui_bundle import swagger_ui_path

from opcert.bootstrap import Platform
from opcert.interfaces.api import api_docs, errors, openapi, security_headers
from opcert.interfaces.api.hygiene import InputHygiene
from opcert.interfaces.api.routers import (
    analytics,  # pages
    intake,
    lifecycle,
    log,
    officers,
    public,
    sharing,  # --- sharing ---
)
from opcert.interfaces.web import STATIC_DIR as WEB_STATIC_DIR
from opcert.interfaces.web import dependencies as web_dependencies
from opcert.interfaces.web import refusals
from opcert.interfaces.web import router as web_router
from opcert.interfaces.web.session_cookies import NoStoreOnPersonalPages


def create_app(platform: Platform) -> FastAPI:
    app = FastAPI(
        title="opcert 特种作业操作证平台 API",
        description="考试成绩即发证、电子证照核验与公众查询 / exam results to certificates, "
        "verification and public query.",
        version="1.0",
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = platform.ctx
    app.state.platform = platform
    errors.install(app)
    app.add_middleware(InputHygiene)
    openapi.install(app)
    # Added after InputHygiene, so outside it: its 422 refusals carry the headers too.
    app.add_middleware(NoStoreOnPersonalPages)
    security_headers.install(app, production=platform.settings.env == "production")
    app.add_middleware(GZipMiddleware, minimum_size=500)  # pages, scripts, lists: gzip
    refusals.install(app)  # 429/503 of the abuse policy, on the API and the pages
    web_dependencies.install(app)  # pages that need a login send the browser to it
    app.include_router(intake.router)
    app.include_router(officers.router)
    app.include_router(public.router)
    app.include_router(lifecycle.router)
    app.include_router(log.router)
    app.include_router(sharing.router)  # --- sharing ---
    # --- pages ---
    app.include_router(analytics.router)
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.include_router(web_router)
    app.mount("/static/web", StaticFiles(directory=WEB_STATIC_DIR), name="web-static")
    app.include_router(api_docs.router)  # Swagger UI with no inline script
    return app
