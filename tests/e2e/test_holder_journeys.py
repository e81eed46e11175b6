"""A holder logs in with real-name verification and downloads the PDF certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_a_holder_logs_in_and_downloads_the_pdf(page, server):
    _, seeded = server
    page.goto("/holder/login")
    page.get_by_label("证件号码", exact=True).fill(seeded.valid_id)
    page.get_by_label("姓名", exact=True).fill(seeded.valid_name)
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.get_by_label("短信验证码")).to_be_visible()
    outbox = page.context.new_page()
    outbox.goto("/dev/outbox")
    message = outbox.get_by_test_id("outbox-message").first.inner_text()
    code = re.search(r"验证码 (\d{6})", message)
    assert code, message
    outbox.close()
    page.get_by_label("短信验证码").fill(code.group(1))
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="模拟：人脸识别通过").click()
    expect(page.get_by_test_id("certificate-status")).to_have_text("有效")
    screenshot(page, "holder-certificates")
    with page.expect_download() as download:
        page.get_by_test_id("pdf-download").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_role("link", name="全屏出示二维码").click()
    expect(page.get_by_test_id("certificate-qr")).to_be_visible()
    screenshot(page, "holder-qr")
