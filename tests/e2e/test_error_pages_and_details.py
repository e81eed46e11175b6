"""The mistaken paths of issue 14's polish, walked in a real browser: a wrong address, a form left
open too long, a form too large, the language switch on such a page, the camera buttons before the
camera opens, a QR text pasted with line breaks, and printing the query result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, screenshot
from tests.e2e.test_public_journeys import query

pytestmark = pytest.mark.e2e


def test_a_wrong_address_shows_the_404_page_and_the_switch_keeps_it(page, server):
    response = page.goto("/certificate?no=T123")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="找不到这个页面")).to_be_visible()
    screenshot(page, "error-404-real-zh")
    page.get_by_test_id("language-switch").click()
    expect(page).to_have_url(re.compile(r"/certificate\?no=T123&lang=en$"))
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "error-404-real-en")
    page.get_by_role("link", name="Back to the home page").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_form_whose_session_ended_shows_the_expired_page_and_leads_back_to_the_form(page, server):
    _, seeded = server
    page.goto("/query")
    page.get_by_label("证件号码", exact=True).fill(seeded.valid_id)
    page.get_by_label("姓名", exact=True).fill(seeded.valid_name)
    page.context.clear_cookies()  # the pre-session the form's token belongs to is gone
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="查询").click()
    assert posted.value.status == 403
    expect(page.get_by_role("heading", name="表单已过期")).to_be_visible()
    expect(page.get_by_text("{")).to_have_count(0)  # no raw JSON
    screenshot(page, "error-form-expired-real")
    page.get_by_role("link", name="重新打开表单").click()
    expect(page).to_have_url(re.compile(r"/query$"))
    expect(page.get_by_label("证件号码", exact=True)).to_be_visible()


def test_a_form_over_the_size_limit_shows_the_413_page_not_json(page, server):
    page.goto("/query")
    page.eval_on_selector("#f-name", "(el) => { el.value = 'x'.repeat(1100 * 1024); }")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="查询").click()
    assert posted.value.status == 413
    expect(page.get_by_role("heading", name="提交的内容过大")).to_be_visible()
    screenshot(page, "error-413-real")


def test_the_camera_buttons_stay_hidden_until_the_camera_opens(page, server):
    page.goto("/verify")
    expect(page.get_by_role("button", name="打开摄像头")).to_be_visible()
    expect(page.locator("#scan-stop")).to_be_hidden()
    expect(page.locator("#scan-video")).to_be_hidden()
    expect(page.locator("#scan-canvas")).to_be_hidden()
    # Every element the templates mark hidden is hidden, whatever its CSS says.
    shown = page.eval_on_selector_all(
        "[hidden]", "(els) => els.filter((e) => e.getClientRects().length > 0).map((e) => e.id)"
    )
    assert shown == []


def test_a_qr_text_pasted_with_line_breaks_is_verified_as_the_code_says(page, server):
    _, seeded = server
    page.goto("/verify")
    page.get_by_label("照片").set_input_files(str(seeded.valid_qr))
    payload = page.get_by_label("二维码内容（以 SC1: 开头）")
    expect(payload).to_have_value(re.compile(r"^SC1:"))
    text = payload.input_value()
    wrapped = "\n  " + "\r\n".join(text[i : i + 30] for i in range(0, len(text), 30)) + "\n\n"
    payload.fill(wrapped)
    page.get_by_role("button", name="核验", exact=True).click()
    verdict = page.locator('[data-verdict="VALID"]')
    expect(verdict.first).to_be_visible()
    expect(page.get_by_text("不是本平台签发")).to_have_count(0)


def test_the_printed_query_result_is_the_certificate_with_the_query_time_and_address(page, server):
    url, seeded = server
    query(page, seeded.valid_id, seeded.valid_name)
    expect(page.get_by_test_id("certificate-status")).to_be_visible()
    page.emulate_media(media="print")
    stamp = page.get_by_test_id("print-stamp")
    expect(stamp).to_be_visible()
    expect(stamp).to_contain_text(re.compile(r"查询时间：\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）"))
    expect(stamp).to_contain_text("平台地址")
    expect(page.locator("header nav")).to_be_hidden()
    expect(page.get_by_test_id("language-switch")).to_be_hidden()
    expect(page.get_by_role("link", name="再查一个")).to_be_hidden()
    screenshot(page, "query-found-print")
    pdf = page.pdf(format="A4", path=str(SHOTS / "query-found-print.pdf"))
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one A4 sheet
    page.emulate_media(media="screen")
