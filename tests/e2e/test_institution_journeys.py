"""An exam institution uploads a results file with one bad row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.integration.builders import id_number

pytestmark = pytest.mark.e2e


def test_an_upload_with_one_bad_row_reports_it_and_offers_the_error_sheet(page, server, tmp_path):
    _, seeded = server
    day = (date.today() - timedelta(days=1)).isoformat()
    good = id_number(seq=41)
    csv = tmp_path / "results.csv"
    csv.write_text(
        "成绩编号,证件号码,姓名,操作项目代码,理论成绩,实操成绩,考试日期,考试点代码,手机号码\n"
        f"WEB-1,{good},孙七,1.2,88,90,{day},EP-440400-01,13800000001\n"
        f"WEB-2,440402199005170000,周八,1.2,88,90,{day},EP-440400-01,13800000002\n",
        encoding="utf-8",
    )
    page.goto("/institution/login")
    page.get_by_label("用户名").fill(seeded.institution_user)
    page.get_by_label("密码", exact=True).fill(seeded.institution_password)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("成绩文件（.xlsx 或 .csv）").set_input_files(str(csv))
    page.get_by_role("button", name="上传", exact=True).click()
    report = page.get_by_test_id("upload-report")
    expect(report.locator('[data-outcome="issued"]')).to_have_count(1)
    expect(report.locator('[data-outcome="rejected"]')).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_test_id("error-sheet").click()
    assert download.value.suggested_filename == "errors.xlsx"
    screenshot(page, "institution-upload")
