"""Every page of the application in a real browser, checked by axe-core at 360 px and at desktop
width (``screenshot`` runs it) and for elements marked ``hidden`` yet shown: public pages, the
holder's, the officer's and the institution's pages logged in, and each error page in both
languages. 0 violations.

The list of pages is checked against the application's own router: a GET route that is neither
visited here nor excluded below with a reason fails ``test_every_get_route_is_visited_or_excluded``,
so a new page cannot be missed.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from playwright.sync_api import expect

from opcert.bootstrap import build
from opcert.interfaces.api.app import create_app
from opcert.settings import Settings
from tests.e2e.conftest import screenshot
from tests.e2e.seed import PASSWORD

pytestmark = pytest.mark.e2e

# GET routes that are not pages, and why they are not visited.
EXCLUDED = {
    "/captcha/{token}.png": "a PNG image, shown by the query page",
    "/verify-sw.js": "the offline verifier's service worker script",
    "/verify.webmanifest": "the offline verifier's web app manifest (JSON)",
    "/verify/offline.json": "the offline verifier's configuration (JSON)",
    "/holder/certificates/{number}/{item}.pdf": "a PDF download (checked by the PDF tests)",
    "/holder/certificates/{number}/{item}/qr.png": "a PNG image, shown by the QR page",
    "/officer/identity-reviews/{review_id}/photo": "a photo, shown by the identity review page",
    "/institution/error-sheets/{key}": "an .xlsx download (the institution journey opens it)",
    "/institution/template.xlsx": "the upload template, an .xlsx download (integration tests)",
    "/holder/qr-sw.js": "the holder QR page's service worker script",
    "/docs": "Swagger UI, the third-party API reference for developers, served as shipped",
    "/openapi.json": "the API description (JSON)",
    "/healthz": "the health check (JSON)",
    "/docs/events/{name}": "an event type's JSON Schema, read by programs following dataschema "
    "(tests/integration/test_sharing_feed.py)",
    # --- letters ---
    "/officer/analytics/letters/{letter_id}/pdf": "a PDF download (tests/unit/documents, "
    "test_reminder_letter_pdf.py; its hash is checked by the integration tests)",
}
# Where each page is visited (the route's path as the router has it).
PUBLIC = {
    "/": "/",
    "/query": "/query",
    "/report/thanks": "/report/thanks",
    "/verify": "/verify",
    "/institutions": "/institutions",
    "/holder/login": "/holder/login",
    "/holder/code": "/holder/code",
    "/holder/face": "/holder/face",
    "/holder/review": "/holder/review",
    "/holder/review/sent": "/holder/review/sent",
    "/dev/outbox": "/dev/outbox",
    "/officer/login": "/officer/login",
    "/institution/login": "/institution/login",
}
HOLDER = [
    "/holder/certificates",
    "/holder/certificates/{number}/{item}/qr",
    "/holder/phone",
    "/holder/phone/code",
]
OFFICER = [
    "/officer",
    "/officer/queue",
    "/officer/applications/{app_id}",
    "/officer/password",
    "/officer/identity-reviews",
    "/officer/revoke",
    "/officer/certificates",
    "/officer/clues",
    "/officer/renewals",
    "/officer/holds",  # --- holds ---
    # --- pages ---
    "/officer/analytics",
    "/officer/analytics/units/{unit_type}/{unit}",
    # --- sharing --- (the Chongqing approver reads them)
    "/officer/sharing",
    "/officer/sharing/subscribers/{code}",
]
INSTITUTION = ["/institution", "/institution/upload"]
ERROR_KINDS = [
    "not_found",
    "forbidden",
    "method",
    "too_large",
    "refused",
    "rate_limited",
    "unavailable",
    "bad_request",
    "form_expired",
    "server",
]
ERRORS = ["/dev/errors/{kind}"]
# --- letters ---
# visited, screenshotted and checked by axe-core in tests/e2e/test_letters_page.py
LETTERS = ["/officer/analytics/letters", "/officer/analytics/letters/{letter_id}"]
# --- sharing ---
# the form of an admin, visited, screenshotted and checked by axe-core in
# tests/e2e/test_sharing_page.py (the Chongqing approver of this file may not open it)
SHARING = ["/officer/sharing/new"]
VISITED = {*PUBLIC, *HOLDER, *OFFICER, *INSTITUTION, *ERRORS, *LETTERS, *SHARING}


def get_routes(server) -> set[str]:  # type: ignore[no-untyped-def]
    """Every GET route of the application the server runs, as its router has it."""
    _, seeded = server
    platform = build(Settings(data_dir=seeded.valid_qr.parent, env="development"))
    try:
        app = create_app(platform)
        found = set()
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            path = context.path_format or getattr(route, "path_format", None)
            methods = context.methods or getattr(route, "methods", None) or ()
            if path and "GET" in methods:
                found.add(path)
        return found
    finally:
        platform.close()


def is_api(path: str) -> bool:
    return path.startswith(("/api/", "/.well-known/"))


def test_every_get_route_is_visited_or_excluded(server):
    routes = {path for path in get_routes(server) if not is_api(path)}
    missed = routes - VISITED - set(EXCLUDED)
    assert missed == set(), (
        f"pages neither visited by this file nor excluded with a reason: {missed}"
    )
    gone = (VISITED | set(EXCLUDED)) - routes
    assert gone == set(), f"listed here but no longer routes of the app: {gone}"


def slug(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def visit(page, url: str, name: str, status: int = 200) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)
    page.wait_for_load_state("networkidle")  # the page's own scripts have settled
    shown = page.eval_on_selector_all(
        "[hidden]", "(els) => els.filter((e) => e.getClientRects().length > 0).map((e) => e.id)"
    )
    assert shown == [], f"elements marked hidden are shown on {url}: {shown}"
    screenshot(page, name)


def test_every_public_page_has_no_accessibility_violation(page, server):
    for url in PUBLIC.values():
        visit(page, url, "every-public-" + slug(url))
    visit(page, "/officer", "every-public-officer-home")  # redirects to its login
    visit(page, "/institution", "every-public-institution-home")


def test_every_public_page_in_english_has_no_accessibility_violation(page, server):
    for url in PUBLIC.values():
        visit(page, url + "?lang=en", "every-public-en-" + slug(url))


def holder_log_in(page, id_number: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/holder/login")
    page.get_by_label("证件号码", exact=True).fill(id_number)
    page.get_by_label("姓名", exact=True).fill(name)
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.get_by_label("短信验证码")).to_be_visible()
    outbox = page.context.new_page()
    outbox.goto("/dev/outbox")
    message = outbox.get_by_test_id("outbox-message").first.inner_text()
    outbox.close()
    code = re.search(r"验证码 (\d{6})", message)
    assert code, message
    page.get_by_label("短信验证码").fill(code.group(1))
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="模拟：人脸识别通过").click()
    expect(page).to_have_url(re.compile(r"/holder/certificates$"))


def test_every_holder_page_has_no_accessibility_violation(page, server):
    _, seeded = server
    # The revoked certificate's holder: the valid one's SMS codes are the holder journey's.
    holder_log_in(page, seeded.revoked_id, "赵六")
    visit(page, "/holder/certificates", "every-holder-certificates")
    qr = page.locator('a[href$="/qr"]').first.get_attribute("href")
    assert qr, "no QR page link on 我的证书"
    visit(page, qr, "every-holder-qr")
    visit(page, "/holder/phone", "every-holder-phone")
    visit(page, "/holder/phone/code", "every-holder-phone-code")


def test_every_officer_page_has_no_accessibility_violation(page, server):
    page.goto("/officer/login")
    page.get_by_label("用户名").fill("cq")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/officer/queue$"))
    detail = page.locator('a[href^="/officer/applications/"]').first.get_attribute("href")
    assert detail, "no application in the officer's queue (the seed files one in review)"
    for url in (
        "/officer",
        "/officer/queue",
        detail,
        "/officer/password",
        "/officer/identity-reviews",
        "/officer/revoke",
        "/officer/certificates",
        "/officer/clues",
        "/officer/renewals",
        "/officer/holds",  # --- holds ---
        # --- pages --- (Chongqing's own exam point, and the province it is in)
        "/officer/analytics",
        "/officer/analytics/units/exam_point/EP-500000-01",
        "/officer/analytics/units/province/500000",
        # --- sharing ---
        "/officer/sharing",
        "/officer/sharing/subscribers/CQ-ENFORCE",
    ):
        visit(page, url, "every-officer-" + slug(url.replace(detail, "/officer/application")))
    # An unknown application: the error page inside the officer's navigation.
    visit(page, "/officer/applications/no-such-id", "every-officer-error-404", 404)


def test_every_institution_page_has_no_accessibility_violation(page, server):
    _, seeded = server
    page.goto("/institution/login")
    page.get_by_label("用户名").fill(seeded.institution_user)
    page.get_by_label("密码", exact=True).fill(seeded.institution_password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/institution/upload$"))
    visit(page, "/institution", "every-institution-home")
    visit(page, "/institution/upload", "every-institution-upload")


STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "method": 405,
    "too_large": 413,
    "refused": 422,
    "rate_limited": 429,
    "unavailable": 503,
    "bad_request": 400,
    "form_expired": 403,
    "server": 500,
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_error_page_has_no_accessibility_violation(page, server, lang):
    for kind in ERROR_KINDS:
        visit(page, f"/dev/errors/{kind}?lang={lang}", f"error-{kind}-{lang}", STATUS[kind])
        expect(page.get_by_test_id(kind.replace("_", "-"))).to_be_visible()
        expect(page.locator(".ways a").last).to_have_attribute("href", "/")
