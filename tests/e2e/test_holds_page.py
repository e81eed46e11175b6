"""暂停自动发证 (decision 0028) in a browser: the province officer sees the held exam point and
its grounds, an empty reason is named on the form, a reason releases it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_officer_journeys import login

pytestmark = pytest.mark.e2e


def test_a_province_officer_releases_a_held_exam_point_with_a_reason(page):  # type: ignore[no-untyped-def]
    login(page, "cq")
    page.get_by_role("link", name="暂停自动发证").click()
    hold = page.get_by_test_id("hold").filter(has_text="南岸考试点")
    expect(hold).to_be_visible()
    expect(hold.get_by_test_id("ground")).to_contain_text("80–82 分占 41%")
    screenshot(page, "holds-list")
    hold.get_by_role("button", name="解除暂停").click()
    expect(page.locator(".error")).to_contain_text("请填写解除暂停的理由")
    screenshot(page, "holds-reason-missing")
    page.get_by_label("解除理由").fill("已调取考试视频与设备记录核查，成绩真实，解除暂停")
    page.get_by_role("button", name="解除暂停").click()
    expect(page.get_by_test_id("hold-released")).to_be_visible()
    page.get_by_role("link", name="已解除的暂停").click()
    expect(page.get_by_test_id("hold").filter(has_text="南岸考试点")).to_contain_text(
        "已调取考试视频"
    )
    screenshot(page, "holds-released")
    page.goto("/officer/holds?released=1&lang=en")
    expect(page.get_by_role("heading", name="Auto-issue on hold")).to_be_visible()
    screenshot(page, "holds-released-en")
