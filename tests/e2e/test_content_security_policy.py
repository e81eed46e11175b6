"""The pages work in a real browser under the Content-Security-Policy (issue 12, part 9): the
scripts are files of this origin and run; the policy blocks nothing on any page (the ``page``
fixture fails a test on any CSP report in the console)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/query",
    "/verify",
    "/institutions",
    "/holder/login",
    "/officer/login",
    "/institution/login",
    "/dev/outbox",
]


def test_every_public_page_loads_with_nothing_blocked_by_the_policy(page, server):
    for path in PAGES:
        response = page.goto(path)
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        page.wait_for_load_state("load")


def test_the_scripts_of_this_origin_still_run(page, server):
    page.goto("/institutions")
    expect(page.locator("#use-location")).to_be_visible()  # location.js un-hides it
    page.goto("/verify")
    # The offline verifier (a module, its service worker) runs; the QR decoder is not loaded
    # until a photo is chosen or the camera opens, and then it runs too.
    expect(page.locator("#offline")).to_have_attribute("data-loaded", "yes")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)") is True
    assert page.evaluate("typeof window.jsQR") == "undefined"
    page.get_by_label("照片", exact=True).set_input_files(str(server[1].valid_qr))
    # Polled with page.evaluate (CDP, not subject to the page's CSP): wait_for_function
    # evaluates its predicate with eval, which this very policy refuses.
    for _ in range(100):
        if page.evaluate("typeof window.jsQR") == "function":
            break
        page.wait_for_timeout(100)
    assert page.evaluate("typeof window.jsQR") == "function"


def test_swagger_ui_starts_from_its_own_init_script_and_fetches_the_api_description(page, server):
    # Swagger UI 4.15 (swagger-ui-bundle 1.1.0, the newest on PyPI) then says it cannot render
    # OpenAPI 3.1; what is checked here is that the policy lets it start and fetch.
    with page.expect_response("**/openapi.json") as fetched:
        page.goto("/docs")
    assert fetched.value.status == 200
    expect(page.locator("#swagger-ui .swagger-ui").first).to_be_attached()


def test_a_page_cannot_be_framed_by_another_site(browser, server):
    url, _ = server
    context = browser.new_context()
    try:
        framing = context.new_page()
        with framing.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text):
            framing.set_content(f'<iframe id="f" src="{url}/query"></iframe>')
        expect(framing.frame_locator("#f").get_by_role("heading")).to_have_count(0)
    finally:
        context.close()
