"""The analytics pages in a browser (issue 16): the national analyst finds the too-good exam point
at the top of the list, reads the funnel plot and the unit's series and score histogram; the
figures are in tables too, and the page reads without JavaScript; a province analyst sees only
the province's units."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.seed import ANALYST, ZHEJIANG_ANALYST
from tests.e2e.test_officer_journeys import login
from tests.integration.analytics_world import ANOMALOUS

pytestmark = pytest.mark.e2e


def drawn(page, testid: str, charts: int = 1) -> None:  # type: ignore[no-untyped-def]
    """The section's charts are shown and ECharts drew a canvas in each."""
    section = page.get_by_test_id(testid)
    expect(section.locator(".chart canvas")).to_have_count(charts)
    box = section.locator(".chart").first.bounding_box()
    assert box and box["width"] > 250 and box["height"] > 300, box


def test_the_national_analyst_finds_the_too_good_exam_point_and_its_figures(page, server):
    login(page, ANALYST)
    page.get_by_role("link", name="考试数据分析").click()
    expect(page.get_by_role("heading", name="考试数据分析", exact=True)).to_be_visible()
    # the seed's other results (every practical score 90) are rightly flagged too
    too_good = page.get_by_test_id("signal-row").filter(has_text="海曙考试点")
    expect(too_good.filter(has_text="通过率偏高").first).to_be_visible()
    expect(page.get_by_test_id("letters-link")).to_have_attribute(
        "href", "/officer/analytics/letters"
    )
    drawn(page, "funnel")
    page.get_by_test_id("funnel-table").locator("summary").click()
    expect(
        page.get_by_test_id("funnel-table").get_by_role("link", name="海曙考试点")
    ).to_be_visible()
    screenshot(page, "analytics-list")

    page.get_by_label("信号类型").select_option("score_heaping")
    page.get_by_label("层级", exact=True).select_option("exam_point")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page).to_have_url(re.compile(r"kind=score_heaping"))
    rows = page.get_by_test_id("signal-row")
    expect(rows.first).to_contain_text("理论成绩集中在及格线上方")
    screenshot(page, "analytics-filtered")

    rows.first.get_by_role("link", name="海曙考试点").click()
    expect(page.get_by_role("heading", name="海曙考试点")).to_be_visible()
    drawn(page, "unit-series")
    drawn(page, "unit-scores")
    screenshot(page, "analytics-unit")

    page.goto("/officer/analytics?lang=en")
    expect(page.get_by_role("heading", name="Exam-data analysis", exact=True)).to_be_visible()
    expect(
        page.get_by_test_id("signal-row").filter(has_text="pass rate above peers").first
    ).to_be_visible()
    drawn(page, "funnel")
    screenshot(page, "analytics-list-en")


def test_a_bad_period_is_named_beside_its_field(page, server):
    login(page, ANALYST)
    page.goto("/officer/analytics")
    page.get_by_label("期间", exact=True).fill("2026-13")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator("#e-period")).to_contain_text("期间应为 YYYY-MM 或 YYYY")
    expect(page.get_by_label("期间", exact=True)).to_have_attribute("aria-invalid", "true")
    screenshot(page, "analytics-bad-period")


def test_a_province_analyst_sees_only_the_province_s_units(page, server):
    login(page, ZHEJIANG_ANALYST)
    page.goto("/officer/analytics?unit_type=exam_point")
    drawn(page, "funnel")
    units = page.get_by_test_id("signal-row").all_inner_texts()
    assert units and all("EP-33" in text for text in units), units
    assert page.goto("/officer/analytics/units/exam_point/EP-320100-01").status == 404


def test_without_javascript_the_figures_are_in_tables(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server[0], viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, ANALYST)
        page.goto(f"/officer/analytics/units/exam_point/{ANOMALOUS}")
        expect(page.locator(".chart").first).to_be_hidden()
        page.get_by_test_id("scores-table").locator("summary").click()
        expect(
            page.get_by_test_id("scores-table").get_by_role("row", name=re.compile("^80"))
        ).to_be_visible()
        screenshot(page, "analytics-unit-no-js", axe=False)
    finally:
        context.close()
