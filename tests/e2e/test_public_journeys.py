"""Public journeys in a real browser: the certificate query and QR verification."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from opcert.interfaces.web.security import CaptchaBook
from opcert.settings import Settings
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def captcha_answer(token: str) -> str:
    """What the captcha image of ``token`` shows, computed the only way a test can: with the
    development server's captcha key (same environment, see conftest). The page never says."""
    book = CaptchaBook(Settings(env="development").secret("captcha"), lambda *_: True)
    answer = book.solution(token)
    assert answer, "the page's captcha token is not one of the development key"
    return answer


def query(page, id_number: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/query")
    page.get_by_label("证件号码", exact=True).fill(id_number)
    page.get_by_label("姓名", exact=True).fill(name)
    expect(page.get_by_test_id("captcha-image")).to_have_js_property("naturalWidth", 200)
    token = page.locator('input[name="captcha_token"]').get_attribute("value")
    page.get_by_label("验证码", exact=True).fill(captcha_answer(token or ""))
    page.get_by_role("button", name="查询").click()


def test_a_query_for_a_registered_certificate_shows_it_as_valid(page, server):
    _, seeded = server
    query(page, seeded.valid_id, seeded.valid_name)
    expect(page.get_by_test_id("certificate-status")).to_have_text("有效")
    expect(page.get_by_text("T" + seeded.valid_id)).to_be_visible()
    screenshot(page, "query-found")


def test_a_query_for_an_unknown_certificate_says_it_is_not_genuine(page, server):
    query(page, "11010519491231002X", "张三")
    warning = page.get_by_test_id("not-found")
    expect(warning).to_contain_text("不是真实有效的证书")
    expect(page.get_by_role("heading", name="举报疑似假证")).to_be_visible()
    screenshot(page, "query-not-found")


def test_uploading_the_qr_of_a_valid_certificate_says_valid(page, server):
    _, seeded = server
    page.goto("/verify")
    page.get_by_label("照片", exact=True).set_input_files(str(seeded.valid_qr))
    page.get_by_role("button", name="上传并核验").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "VALID")
    expect(verdict).to_contain_text("真实有效")
    expect(page.get_by_test_id("check-signature")).to_contain_text("签名有效")
    screenshot(page, "verify-valid")


def test_uploading_the_qr_of_a_revoked_certificate_says_revoked(page, server):
    _, seeded = server
    page.goto("/verify")
    page.get_by_label("照片", exact=True).set_input_files(str(seeded.revoked_qr))
    page.get_by_role("button", name="上传并核验").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "REVOKED")
    expect(verdict).to_contain_text("已撤销")
    screenshot(page, "verify-revoked")
