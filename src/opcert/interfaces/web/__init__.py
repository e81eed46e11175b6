"""Server-rendered pages (Jinja2, zh-CN first with an English switch). Mounted by the API app:
``router`` holds every page, ``STATIC_DIR`` the assets served under ``/static/web``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from opcert.interfaces.web.routes import (
    captcha,
    dev_errors,
    directory,
    holder,
    holder_certificates,
    holder_phone,
    institution,
    officer,
    officer_analytics,  # pages
    officer_holds,  # --- holds ---
    officer_letters,  # --- letters ---
    officer_records,
    officer_renewals,
    officer_sharing,  # --- sharing ---
    offline_app,
    public,
    verify,
)

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)
for module in (
    public,
    captcha,
    verify,
    offline_app,
    directory,
    holder,
    holder_certificates,
    holder_phone,
    officer,
    officer_records,
    officer_renewals,
    institution,
    dev_errors,
    officer_holds,  # --- holds ---
    # --- letters ---
    officer_letters,
    # --- pages ---
    officer_analytics,
    officer_sharing,  # --- sharing ---
):
    router.include_router(module.router)
