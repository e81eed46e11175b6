"""数据共享 (issue 17) in a real browser: a Guangdong admin registers a subscriber through the page
(a forbidden address named on its field first), sees its secrets once, and disables it with a
reason; the Chongqing approver reads a subscriber with a dead letter and no buttons. Each page is
screenshotted at 360 px and desktop width and checked by axe-core (``screenshot``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.seed import CQ_SUBSCRIBER, GD_SUBSCRIBER, SHARING_ADMIN
from tests.e2e.test_officer_journeys import login

pytestmark = pytest.mark.e2e
NAME = "珠海市应急管理综合行政执法支队（香洲大队）"


def test_a_province_admin_registers_a_subscriber_and_sees_its_secrets_once(page):  # type: ignore[no-untyped-def]
    login(page, SHARING_ADMIN)
    page.get_by_role("link", name="数据共享").click()
    expect(page.get_by_role("heading", name="数据共享", exact=True)).to_be_visible()
    listed = page.get_by_test_id("subscriber")
    expect(listed.filter(has_text=GD_SUBSCRIBER)).to_be_visible()
    expect(listed.filter(has_text=CQ_SUBSCRIBER)).to_have_count(0)  # another province's
    expect(page.get_by_test_id("feedback").first).to_contain_text("已责令停止作业")
    screenshot(page, "sharing-list")

    page.get_by_test_id("add-subscriber").click()
    page.get_by_label("订阅方代码").fill("ZH-XZ-ENFORCE")
    page.get_by_label("订阅方名称").fill(NAME)
    page.get_by_label("回调地址").fill("http://169.254.169.254/latest/meta-data")
    page.get_by_label("共享地区").fill("440402")
    for event in ("撤销", "暂停", "恢复", "注销", "申请转人工审核"):
        page.get_by_label(event, exact=True).check()
    for field in ("证号", "姓名", "操作项目", "证书状态"):
        page.get_by_label(field, exact=True).check()
    screenshot(page, "sharing-add-form")
    page.get_by_role("button", name="登记并生成密钥").click()
    url_error = page.locator("#e-url")
    expect(url_error).to_contain_text("链路本地地址或云元数据地址")
    expect(page.get_by_label("回调地址")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("撤销", exact=True)).to_be_checked()  # the answers are kept
    screenshot(page, "sharing-add-error")

    page.get_by_label("回调地址").fill("https://127.0.0.1:9/opcert/xiangzhou")
    page.get_by_role("button", name="登记并生成密钥").click()
    expect(page.get_by_test_id("shown-once")).to_contain_text("只显示一次")
    secret = page.get_by_test_id("webhook-secret").inner_text()
    key = page.get_by_test_id("api-key").inner_text()
    assert secret.startswith("whsec_") and key.startswith("osk_")
    screenshot(page, "sharing-added-secrets")

    page.get_by_role("link", name="查看该订阅方").click()
    expect(page.get_by_role("heading", name=re.compile(NAME))).to_be_visible()
    assert secret not in page.content() and key not in page.content()
    expect(page.get_by_test_id("subscriber-state")).to_contain_text("推送中")
    screenshot(page, "sharing-subscriber")

    page.get_by_role("button", name="停用推送").click()
    expect(page.locator("#e-state-reason")).to_contain_text("请填写理由")
    page.get_by_label("停用理由").fill("对方接收端迁移，暂停推送两天")
    page.get_by_role("button", name="停用推送").click()
    expect(page.get_by_test_id("done")).to_contain_text("已停用")
    expect(page.get_by_test_id("subscriber-state")).to_contain_text("对方接收端迁移")
    screenshot(page, "sharing-subscriber-disabled")

    page.goto(page.url.split("?")[0] + "?lang=en")
    expect(page.get_by_role("heading", name="Manage")).to_be_visible()
    screenshot(page, "sharing-subscriber-en")
    page.goto("/officer/sharing/new?lang=en")
    expect(page.get_by_role("heading", name="Register a subscriber")).to_be_visible()
    screenshot(page, "sharing-add-form-en")
    page.goto("/officer/sharing?lang=zh")


def test_the_outcome_fed_back_is_on_the_certificate_an_officer_finds(page, server):  # type: ignore[no-untyped-def]
    _, seeded = server
    login(page, SHARING_ADMIN)
    page.goto(f"/officer/certificates?q=T{seeded.revoked_id}")
    expect(page.get_by_test_id("feedback-link")).to_contain_text("处置反馈 1 条")
    shown = page.get_by_test_id("certificate-feedback")
    expect(shown).to_contain_text("已责令停止作业")
    expect(shown).to_contain_text("广东省应急管理综合执法监督局")
    screenshot(page, "sharing-certificate-feedback")


def test_a_province_approver_reads_a_dead_letter_without_buttons(page):  # type: ignore[no-untyped-def]
    login(page, "cq")
    page.get_by_role("link", name="数据共享").click()
    card = page.get_by_test_id("subscriber").filter(has_text=CQ_SUBSCRIBER)
    expect(card.get_by_test_id("figures")).to_contain_text("死信 1")
    expect(page.get_by_test_id("add-subscriber")).to_have_count(0)
    card.get_by_role("link").first.click()
    expect(page.get_by_test_id("dead-letter")).to_have_count(1)
    expect(page.get_by_test_id("dead-letter")).to_contain_text("HTTP 503")
    expect(page.get_by_role("button", name="重新投递")).to_have_count(0)
    expect(page.get_by_role("button", name="停用推送")).to_have_count(0)
    screenshot(page, "sharing-subscriber-reader")
