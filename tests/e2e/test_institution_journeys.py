"""An exam institution uploads a results file with one bad row."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_public_journeys import query
from tests.integration.builders import id_number

pytestmark = pytest.mark.e2e


def upload_as_the_zhuhai_institution(page, seeded, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/institution/login")
    page.get_by_label("用户名").fill(seeded.institution_user)
    page.get_by_label("密码", exact=True).fill(seeded.institution_password)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("成绩文件（.xlsx 或 .csv）").set_input_files(str(path))
    page.get_by_role("button", name="上传", exact=True).click()


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
    upload_as_the_zhuhai_institution(page, seeded, csv)
    report = page.get_by_test_id("upload-report")
    expect(report.locator('[data-outcome="issued"]')).to_have_count(1)
    expect(report.locator('[data-outcome="rejected"]')).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_test_id("error-sheet").click()
    assert download.value.suggested_filename == "错误清单.xlsx"
    screenshot(page, "institution-upload")


def test_a_gbk_upload_gives_a_chinese_sheet_of_only_the_rows_to_fix_and_the_worker_is_found_as_typed(
    page, server, tmp_path
):
    _, seeded = server
    yesterday = date.today() - timedelta(days=1)
    day = f"{yesterday.year}年{yesterday.month}月{yesterday.day}日"
    minority = id_number(seq=61)
    csv = tmp_path / "成绩.csv"
    csv.write_bytes(
        (
            "成绩编号,证件号码,姓名,操作项目代码,理论成绩,实操成绩,考试日期,考试点代码\n"
            f"GBK-1,{minority},阿依古丽·买买提,1.2,88,90,{day},EP-440400-01\n"
            f"GBK-2,{id_number(seq=62)},吴九,1.2,40,90,{day},EP-440400-01\n"
            f"GBK-3,T{id_number(seq=63)},郑十,1.2,88,90,{day},EP-440400-01\n"
            f'GBK-4,{id_number(seq=64)},"=HYPERLINK(""http://evil.example"",""点我"")",1.2,88,90,'
            f"{day},EP-440400-01\n"
        ).encode("gbk")
    )
    upload_as_the_zhuhai_institution(page, seeded, csv)
    report = page.get_by_test_id("upload-report")
    expect(report.locator('[data-outcome="issued"]')).to_have_count(1)
    expect(report.locator('[data-outcome="failed"]')).to_have_count(1)
    expect(report.locator('[data-outcome="rejected"]')).to_have_count(2)
    expect(report).to_contain_text("这是证书编号，请填写身份证号码")
    screenshot(page, "institution-upload-errors")
    with page.expect_download() as download:
        page.get_by_test_id("error-sheet").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [c.value for c in sheet[1]][:3] == ["成绩编号", "证件号码", "姓名"]
    assert sheet.cell(1, sheet.max_column).value == "错误原因"
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == ["GBK-3", "GBK-4"]
    assert sheet.cell(3, 3).quotePrefix  # the formula-like name is text, never run

    # The worker checks the certificate with the ID as printed (in groups) and a bullet dot.
    spaced = f"{minority[:6]} {minority[6:14]} {minority[14:]}"
    query(page, spaced, "阿依古丽•买买提")
    expect(page.get_by_text("T" + minority)).to_be_visible()
    expect(page.get_by_text("阿依古丽·买买提")).to_be_visible()
    screenshot(page, "query-found-spaced-id-bullet-name")
