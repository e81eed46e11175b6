"""An officer approves an application under review; the certificate is queryable at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.seed import PASSWORD
from tests.e2e.test_public_journeys import query

pytestmark = pytest.mark.e2e


def test_an_officer_approves_and_the_certificate_is_then_queryable(page, server):
    _, seeded = server
    page.goto("/officer/login")
    page.get_by_label("用户名").fill("cq")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    row = page.get_by_test_id("queue-row").filter(has_text=seeded.review_id)
    expect(row.get_by_test_id("workdays-left")).to_contain_text("工作日")
    screenshot(page, "officer-queue")
    row.get_by_role("link", name=seeded.review_name).click()
    expect(page.get_by_role("heading", name="申请详情")).to_be_visible()
    page.get_by_label("批准发证").check()
    page.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("decision-done")).to_contain_text("已批准")
    query(page, seeded.review_id, seeded.review_name)
    expect(page.get_by_test_id("certificate-status")).to_have_text("有效")
