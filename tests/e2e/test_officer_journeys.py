"""Officer journeys, each walking the mistaken path and showing it cannot happen: no decision
without a choice, the choice kept after an error, no approval over a failed check without a
reason and a confirmation page, no blind revocation, no empty batch; and the labels, the region
and the pages of a search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.officer_seed import (
    MANY_SURNAME,
    MINORITY_NAME,
    OVERRIDE_NAME,
    REVOKE_NAME,
    UNDECIDED_NAME,
    ZHUHAI_OFFICER,
)
from tests.e2e.seed import PASSWORD
from tests.e2e.test_public_journeys import query
from tests.integration.builders import id_number

pytestmark = pytest.mark.e2e
RAW_CODES = ("in_review", "not_applicable", "CN-500000", "CN-440400")


def login(page, username: str = "cq") -> None:  # type: ignore[no-untyped-def]
    page.goto("/officer/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待审核申请")).to_be_visible()


def open_application(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_test_id("queue-row").filter(has_text=name).get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="申请详情")).to_be_visible()


def shows_no_codes(page) -> None:  # type: ignore[no-untyped-def]
    text = page.locator("main").inner_text()
    assert not [code for code in RAW_CODES if code in text], text


def test_an_empty_batch_is_refused_with_a_message_and_approves_nothing(page, server):
    # runs before the journey that approves the one clean application, so the box is there
    login(page)
    before = page.get_by_test_id("queue-row").count()
    page.get_by_role("button", name="批量批准所选申请").click()
    expect(page.get_by_test_id("batch-error")).to_contain_text("没有勾选任何申请")
    expect(page.get_by_test_id("decision-done")).to_have_count(0)
    assert page.get_by_test_id("queue-row").count() == before
    screenshot(page, "officer-batch-empty")


def test_an_officer_approves_and_the_certificate_is_then_queryable(page, server):
    _, seeded = server
    login(page)
    row = page.get_by_test_id("queue-row").filter(has_text=seeded.review_id)
    expect(row.get_by_test_id("workdays-left")).to_contain_text("工作日")
    expect(page.get_by_test_id("queue-scope")).to_contain_text("重庆市")
    shows_no_codes(page)
    screenshot(page, "officer-queue")
    open_application(page, seeded.review_name)
    page.get_by_role("radio", name="批准发证").check()
    page.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("decision-done")).to_contain_text("已批准")
    query(page, seeded.review_id, seeded.review_name)
    expect(page.get_by_test_id("certificate-status")).to_have_text("有效")


def test_a_decision_without_a_choice_is_refused_and_the_application_stays_in_review(page, server):
    login(page)
    open_application(page, UNDECIDED_NAME)
    expect(page.get_by_role("radio", name="批准发证")).not_to_be_checked()
    expect(page.get_by_role("radio", name="不予发证")).not_to_be_checked()
    expect(page.get_by_test_id("failed-warning")).to_contain_text("1 项自动检查未通过")
    expect(page.get_by_test_id("application-status")).to_have_text("人工审核中")
    shows_no_codes(page)
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#e-decision")).to_contain_text("请选择审批决定")
    expect(page.get_by_test_id("application-status")).to_have_text("人工审核中")
    screenshot(page, "officer-decision-no-choice")


def test_the_choice_and_the_reason_survive_a_validation_error(page, server):
    login(page)
    open_application(page, UNDECIDED_NAME)
    page.get_by_role("radio", name="不予发证").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#e-reason")).to_contain_text("不予发证必须说明理由")
    expect(page.get_by_role("radio", name="不予发证")).to_be_checked()
    expect(page.get_by_role("radio", name="批准发证")).not_to_be_checked()
    screenshot(page, "officer-decision-choice-kept")
    page.get_by_role("radio", name="批准发证").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#e-reason")).to_contain_text("为何仍予批准")
    expect(page.get_by_role("radio", name="批准发证")).to_be_checked()
    expect(page.get_by_test_id("application-status")).to_have_text("人工审核中")


def test_approving_over_a_failed_check_needs_a_reason_and_a_confirmation_before_issuing(
    page, server
):
    login(page)
    open_application(page, OVERRIDE_NAME)
    page.get_by_role("radio", name="批准发证").check()
    page.get_by_label("理由").fill("经核实，持证人仍在岗并持有效体检证明")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="核对后确认批准")).to_be_visible()
    expect(page.get_by_test_id("failed-check")).to_contain_text("年龄")
    expect(page.get_by_test_id("override-reason")).to_have_text(
        "经核实，持证人仍在岗并持有效体检证明"
    )
    screenshot(page, "officer-override-confirm")
    page.get_by_role("button", name="返回修改").click()  # nothing was decided on the way
    expect(page.get_by_test_id("application-status")).to_have_text("人工审核中")
    expect(page.get_by_label("理由")).to_have_value("经核实，持证人仍在岗并持有效体检证明")
    expect(page.get_by_role("radio", name="批准发证")).to_be_checked()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认批准发证").click()
    expect(page.get_by_test_id("decision-done")).to_contain_text("已批准")
    expect(page.get_by_test_id("queue-row").filter(has_text=OVERRIDE_NAME)).to_have_count(0)


def test_a_revocation_previews_the_certificate_and_the_ban_before_anything_changes(page, server):
    number = "T" + id_number(seq=80)
    login(page, ZHUHAI_OFFICER)
    page.goto(f"/officer/revoke?number={number}&item=1.2")
    page.get_by_label("撤销理由").fill("考试资料系伪造")
    page.get_by_role("button", name="下一步：核对证书").click()
    expect(page.locator("#e-ground")).to_contain_text("请从列表中选择撤销情形")
    expect(page.get_by_label("撤销理由")).to_have_value("考试资料系伪造")
    page.get_by_label("以欺骗、贿赂等不正当手段取得").check()
    page.get_by_role("button", name="下一步：核对证书").click()
    preview = page.get_by_test_id("revoke-preview")
    expect(preview).to_contain_text(REVOKE_NAME)
    expect(preview).to_contain_text(number)
    expect(page.get_by_test_id("preview-state")).to_have_text("有效")
    expect(page.get_by_test_id("revoke-consequences")).to_contain_text("立即变为“已撤销”")
    expect(page.get_by_test_id("revoke-ban")).to_contain_text("3 年内")
    screenshot(page, "officer-revoke-preview")
    elsewhere = page.context.new_page()  # the preview changed nothing
    elsewhere.goto(f"/officer/certificates?q={number}")
    expect(elsewhere.get_by_test_id("certificate-status")).to_have_text("有效")
    elsewhere.close()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_test_id("revoked")).to_contain_text("不得重新申领")
    screenshot(page, "officer-revoked")
    page.goto(f"/officer/certificates?q={number}")
    expect(page.get_by_test_id("certificate-status")).to_have_text("已撤销")


def test_a_search_by_part_of_a_name_stays_in_the_region_it_names_and_pages(page, server):
    login(page, ZHUHAI_OFFICER)
    page.goto("/officer/certificates")
    expect(page.get_by_test_id("search-scope")).to_contain_text("广东省珠海市")
    page.get_by_label("证件号码、证号或姓名").fill("阿依古丽")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("main")).to_contain_text(MINORITY_NAME)
    page.get_by_label("证件号码、证号或姓名").fill(MANY_SURNAME)
    page.get_by_role("button", name="检索").click()
    expect(page.get_by_test_id("certificate-status")).to_have_count(20)
    first_page = set(page.locator("main tbody tr").all_inner_texts())
    assert len(first_page) == 20
    screenshot(page, "officer-search")
    page.get_by_role("link", name="下一页 ›").click()
    # The seed files 21 (one more than a page); other journeys on the shared server may add a
    # 陈 of their own, so the second page holds the rest: at least one, none from page one.
    expect(page.get_by_role("link", name="‹ 上一页")).to_be_visible()
    second_page = set(page.locator("main tbody tr").all_inner_texts())
    assert 1 <= len(second_page) <= 20 and not first_page & second_page
    expect(page.get_by_role("link", name="‹ 上一页")).to_be_visible()


def test_a_chongqing_officer_does_not_find_a_zhuhai_holder_and_is_told_where_it_searched(
    page, server
):
    login(page)
    page.goto("/officer/certificates?q=李四")
    expect(page.get_by_test_id("search-summary")).to_contain_text("在重庆市没有找到")
