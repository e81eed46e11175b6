"""Rendering pages: language choice, the CSRF cookie, form errors from domain errors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from opcert.bootstrap import Platform
from opcert.domain.certificate_states import PublicStatus
from opcert.domain.clock import SHANGHAI
from opcert.domain.errors import DomainError, ValidationFailed
from opcert.interfaces import throttle
from opcert.interfaces.web import i18n, session_cookies
from opcert.interfaces.web.security import CSRF_FIELD, CaptchaBook
from opcert.services.kernel.context import ServiceContext

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "lang"


@dataclass
class WebState:
    """What the pages build once per process from the platform's settings: keys and the captcha
    book. No per-user state: sessions, login challenges, error sheets and used captcha tokens
    live in the shared stores (``ctx.sessions``, ``platform.abuse``)."""

    secret: bytes
    env: str
    captcha: CaptchaBook


def web_state(request: Request) -> WebState:
    state: WebState | None = getattr(request.app.state, "web", None)
    if state is None:
        platform: Platform = request.app.state.platform
        settings = platform.settings
        # One random key per purpose (settings.secret), never derived from the key passphrase.
        state = WebState(
            settings.secret("session"),
            settings.env,
            # One-time tokens: consumed in the store the rate limits share (Redis when set).
            CaptchaBook(settings.secret("captcha"), platform.abuse.consume_once),
        )
        request.app.state.web = state
    return state


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def ctx_of(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["state_looks"] = {status.value: status.look for status in PublicStatus}
    return env


def csrf_token(request: Request) -> str:
    # Bound to the session (or a pre-session cookie before login): session_cookies.
    return session_cookies.form_token(request)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    token = csrf_token(request)
    env = environment(lang)
    refused = getattr(request.state, "refused_input", None)
    if isinstance(refused, DomainError):
        # Input hygiene refused the form (interfaces/api/hygiene.py): this is its page again.
        status = 422
        context["refused"] = refused.message_en if lang == "en" else refused.message_zh
    html = env.get_template(name).render(
        request=request,
        lang=lang,
        csrf_token=token,
        pick=lambda zh, en: en if lang == "en" and en else zh,
        item_label=lambda code, printed=None: i18n.item_name(lang, code, printed),
        category_label=lambda code, printed=None: i18n.category_name(lang, code, printed),
        switch_url=i18n.switch_url(request, lang),
        printed_at=ctx_of(request).now().astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        site_url=platform_of(request).settings.base_url,
        # Development-only hints (the in-process SMS outbox) with the development provider only.
        dev=platform_of(request).outbox is not None,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    session_cookies.keep_pre_session(request, response)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        session_cookies.set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


class FormExpired(Exception):
    """A form whose CSRF token is missing, stale or from another session: nothing was done; the
    visitor gets the expired-form page (``error_pages``), not a raw error."""


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def checked_form(request: Request) -> FormData:
    """The submitted form, after the CSRF check against this session (403 when it fails)."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not session_cookies.token_matches(
        request, submitted if isinstance(submitted, str) else None
    ):
        raise FormExpired
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_errors(error: DomainError, lang: str) -> dict[str, str]:
    """Field name → message in the page's language; "" holds a message that names no field."""
    listed = error.errors if isinstance(error, ValidationFailed) else [error]
    errors: dict[str, str] = {}
    for item in listed:
        message = item.message_en if lang == "en" else item.message_zh
        errors.setdefault(item.field or "", message)
    return errors


def client_ip(request: Request) -> str:
    """The client's address: ``X-Forwarded-For`` only from ``OPCERT_TRUSTED_PROXIES``."""
    return throttle.client_ip(request)
