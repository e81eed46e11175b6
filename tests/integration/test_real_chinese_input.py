"""Real Chinese input on every path (issue 14, part 4), on SQLite and PostgreSQL: uploads in
the encodings Chinese Windows writes, Excel sheets whose ID numbers are numbers, dates written
the Chinese way, the error sheet that holds only the rows to fix (and files each of them once
when sent back), and the public query and holder login found with an ID pasted with spaces and
a name written with another dot or none."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from opcert.domain.errors import FieldError
from opcert.services.holders import identity as holder_identity
from opcert.services.intake import submissions
from opcert.services.intake.files import REASON_HEADER, error_sheet, read_rows, template_sheet
from opcert.services.intake.pipeline import submit_results
from opcert.services.intake.validation import FIELD_LABELS, FIELDS
from opcert.services.verification import clues
from opcert.services.verification import query as certificates
from tests.integration.builders import clerk_workbook, id_number, make_result
from tests.integration.cli_runner import cli_of
from tests.integration.web_pages import post_form
from tests.security.hostile_files import sheet_of_numbers
from tests.security.session_helpers import add_institution_user, institution_web_login

HEADERS = [FIELD_LABELS[field] for field in FIELDS]
AYIGULI = "阿依古丽·买买提"


def log_in(client) -> None:  # type: ignore[no-untyped-def]
    add_institution_user(client.app.state.platform)
    institution_web_login(client)


def upload(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    files = {"file": (name, data, "application/octet-stream")}
    return post_form(client, "/institution/upload", "/institution/upload", {}, files=files)


def stored(ctx, world) -> list[Any]:  # type: ignore[no-untyped-def]
    return submissions.past_results(ctx, world.zhuhai)


def csv_bytes(rows: list[dict[str, Any]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(field, "") for field in FIELDS])
    return out.getvalue().encode(encoding)


def workbook(rows: list[list[object]]) -> bytes:
    return clerk_workbook(rows, HEADERS)


def as_list(row: dict[str, Any]) -> list[object]:
    return [row.get(field) for field in FIELDS]


def outcomes(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-outcome="')[1:]]


def error_sheet_of(client, page: str):  # type: ignore[no-untyped-def]
    key = page.split('href="/institution/error-sheets/')[1].split('"')[0]
    response = client.get(f"/institution/error-sheets/{key}")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    return load_workbook(io.BytesIO(response.content)).active, response.content


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_saved_by_chinese_excel_in_any_of_its_encodings_files_the_minority_name(
    client, ctx, world, encoding
):
    log_in(client)
    row = make_result(name="欧阳·买买提", exam_date="2026年11月19日")
    page = upload(client, "成绩.csv", csv_bytes([row], encoding))
    assert page.status_code == 200 and outcomes(page.text) == ["issued"]
    [past] = stored(ctx, world)
    assert past.name == "欧阳·买买提"


def test_a_csv_in_no_known_encoding_is_refused_naming_the_file_and_the_encodings_tried(
    client, ctx, world
):
    log_in(client)
    page = upload(client, "名单.csv", "姓名\n张三\n".encode("utf-16"))
    assert page.status_code == 422 and 'id="e-file"' in page.text
    assert "名单.csv" in page.text
    assert all(name in page.text for name in ("UTF-8", "BOM", "GBK", "GB18030"))
    assert "Traceback" not in page.text and "codec" not in page.text
    assert stored(ctx, world) == []


# --- Excel numbers ----------------------------------------------------------------------------


def test_an_id_stored_as_a_number_cell_with_all_its_digits_keeps_every_digit(client, ctx, world):
    log_in(client)
    row = make_result()
    columns = ["ref", "id_number", "name", "item", "theory_score", "practical_score"]
    columns += ["exam_date", "exam_point"]
    # A numeric cell holding the literal 18 digits, as WPS and other tools write it.
    data = sheet_of_numbers([FIELD_LABELS[c] for c in columns], [str(row[c]) for c in columns])
    assert read_rows("r.xlsx", data)[0]["id_number"] == row["id_number"]
    page = upload(client, "r.xlsx", data)
    assert outcomes(page.text) == ["issued"]
    found = certificates.public_query(ctx, row["id_number"], "张三", asker=None)
    assert found[0]["number"] == "T" + row["id_number"]


def test_an_id_stored_as_text_in_an_openpyxl_sheet_keeps_every_digit(client, ctx, world):
    log_in(client)
    row = make_result(phone=13800138000)  # a phone number as a number cell is exact
    page = upload(client, "r.xlsx", workbook([as_list(row)]))
    assert outcomes(page.text) == ["issued"]
    [past] = stored(ctx, world)
    assert past.ref == row["ref"]


@pytest.mark.parametrize(
    "lost",
    [4.40402199005171e17, 440402199005171000],
    ids=["float-as-excel-keeps-it", "integer-with-excel-zeros"],
)
def test_an_id_excel_already_cut_refuses_that_row_only_and_is_never_written_back(
    client, ctx, world, lost
):
    log_in(client)
    good, cut = make_result(), make_result()
    page = upload(client, "r.xlsx", workbook([as_list(good), as_list({**cut, "id_number": lost})]))
    assert outcomes(page.text) == ["issued", "rejected"]
    assert "证件号码：身份证号码被 Excel 存成了数字" in page.text and "“文本”格式" in page.text
    sheet, raw = error_sheet_of(client, page.text)
    assert sheet.max_row == 2
    assert sheet.cell(2, FIELDS.index("id_number") + 1).value is None
    assert sheet.cell(2, FIELDS.index("id_number") + 1).number_format == "@"
    assert b"E+17" not in raw and b"e+17" not in raw and b"4.404" not in raw


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2026/11/19", "2026.11.19", "2026年11月19日", "2026/1/9"])
def test_an_exam_date_written_the_way_people_write_it_is_accepted(ctx, world, written):
    [outcome] = submit_results(ctx, world.zhuhai, [make_result(exam_date=written)])
    assert outcome.outcome == "issued", outcome.errors


def test_an_impossible_exam_date_is_refused_naming_the_field(ctx, world):
    [outcome] = submit_results(ctx, world.zhuhai, [make_result(exam_date="2026年2月30日")])
    assert outcome.outcome == "rejected"
    assert [e["field"] for e in outcome.errors] == ["exam_date"]


# --- the error sheet --------------------------------------------------------------------------


def test_the_error_sheet_has_the_templates_chinese_headers_and_only_the_rows_to_fix(
    client, ctx, world
):
    log_in(client)
    good = make_result()
    failed = make_result(theory_score=40)  # a failed exam is a result, stored
    bad_id = make_result(id_number="4405 0219 9005 1700 00")
    formula = make_result(name='=HYPERLINK("http://evil.example","点我")')
    bad_date = make_result(exam_date="2026/13/40")
    rows = [good, failed, bad_id, formula, bad_date]
    page = upload(client, "r.xlsx", workbook([as_list(row) for row in rows]))
    assert outcomes(page.text) == ["issued", "failed", "rejected", "rejected", "rejected"]
    sheet, raw = error_sheet_of(client, page.text)
    header = [cell.value for cell in sheet[1]]
    template = load_workbook(io.BytesIO(template_sheet())).active
    assert header == [*(cell.value for cell in template[1]), REASON_HEADER]
    assert header == [*HEADERS, "错误原因"]
    refs = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert refs == [bad_id["ref"], formula["ref"], bad_date["ref"]]
    reasons = [sheet.cell(r, len(HEADERS) + 1).value for r in range(2, sheet.max_row + 1)]
    assert reasons[0].startswith("证件号码：") and reasons[2].startswith("考试日期：")
    name_cell = sheet.cell(3, FIELDS.index("name") + 1)
    assert name_cell.data_type == "s" and name_cell.quotePrefix
    assert b"<f>" not in raw


def test_re_uploading_the_corrected_error_sheet_files_each_fixed_row_once_and_nothing_else(
    client, ctx, world
):
    log_in(client)
    good, failed = make_result(), make_result(theory_score=40)
    bad_id = make_result(id_number=4.40402199005171e17)
    bad_date = make_result(exam_date="2026-02-30")
    page = upload(
        client, "r.xlsx", workbook([as_list(r) for r in (good, failed, bad_id, bad_date)])
    )
    assert outcomes(page.text) == ["issued", "failed", "rejected", "rejected"]
    before = {past.ref for past in stored(ctx, world)}
    assert before == {good["ref"], failed["ref"]}
    sheet, _ = error_sheet_of(client, page.text)
    fixed_id = id_number()
    sheet.cell(2, FIELDS.index("id_number") + 1).value = fixed_id
    sheet.cell(3, FIELDS.index("exam_date") + 1).value = "2026年11月19日"
    corrected = io.BytesIO()
    sheet.parent.save(corrected)
    again = upload(client, "错误清单.xlsx", corrected.getvalue())
    assert outcomes(again.text) == ["issued", "issued"]
    assert 'data-testid="error-sheet"' not in again.text
    after = stored(ctx, world)
    assert sorted(past.ref for past in after) == sorted(
        [good["ref"], failed["ref"], bad_id["ref"], bad_date["ref"]]
    )
    # Sent once more, the same sheet files nothing new: each fixed row is filed once.
    upload(client, "错误清单.xlsx", corrected.getvalue())
    assert len(stored(ctx, world)) == len(after)


def test_the_template_has_the_chinese_headers_and_text_formatted_digit_columns(client, world):
    log_in(client)
    response = client.get("/institution/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.cell(2, FIELDS.index("id_number") + 1).number_format == "@"
    assert read_rows("t.xlsx", response.content) == []


def test_the_template_is_only_for_a_logged_in_institution(client):
    response = client.get("/institution/template.xlsx", follow_redirects=False)
    assert response.status_code in (303, 401, 403)


# --- the public query and the holder login ----------------------------------------------------


@pytest.fixture
def minority(ctx, world) -> str:  # type: ignore[no-untyped-def]
    row = make_result(name=AYIGULI)
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    return str(row["id_number"])


def spaced(number: str) -> str:
    return f"{number[:6]} {number[6:14]}\u3000{number[14:]}"


@pytest.mark.parametrize(
    "name", ["阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽.买买提", "阿依古丽买买提", AYIGULI]
)
def test_the_public_query_finds_an_id_pasted_with_spaces_and_any_spelling_of_the_name(
    ctx, minority, name
):
    [found] = certificates.public_query(ctx, spaced(minority), name, asker=None)
    assert found["name"] == AYIGULI and found["number"] == "T" + minority


def test_the_public_query_reads_the_certificate_number_as_the_id_inside_it(ctx, minority):
    [found] = certificates.public_query(ctx, "t" + spaced(minority), "阿依古丽•买买提", asker=None)
    assert found["number"] == "T" + minority


def test_the_query_page_lets_an_id_pasted_with_spaces_through_uncut(client, minority):
    page = client.get("/query")
    assert page.status_code == 200 and 'name="id_number"' in page.text
    assert 'maxlength="18"' not in page.text


def test_a_name_missing_a_character_is_not_found(ctx, minority):
    with pytest.raises(Exception) as caught:
        certificates.public_query(ctx, minority, "阿依古丽买买", asker=None)
    assert getattr(caught.value, "code", "") == "CERTIFICATE_NOT_FOUND"


def test_the_holder_logs_in_with_the_name_written_without_its_dot_as_the_certificate_says_it(
    ctx, minority
):
    challenge = holder_identity.send_code(ctx, spaced(minority), "阿依古丽买买提")
    assert challenge.name == AYIGULI


def test_the_holder_login_names_a_certificate_number_typed_for_the_id(ctx, minority):
    with pytest.raises(Exception) as caught:
        holder_identity.send_code(ctx, "T" + minority, AYIGULI)
    errors = getattr(caught.value, "errors", [caught.value])
    assert any(isinstance(e, FieldError) and e.code == "ID_IS_CERTIFICATE_NUMBER" for e in errors)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(platform, monkeypatch):  # type: ignore[no-untyped-def]
    with cli_of(platform, monkeypatch) as run:
        yield run


def test_the_cli_query_takes_an_id_pasted_with_spaces_and_a_name_with_a_bullet(cli, minority):
    result = cli("certificates", "show", spaced(minority), "阿依古丽•买买提")
    assert result.exit_code == 0, result.stderr
    assert '"number": "T' + minority + '"' in result.stdout


def test_the_cli_import_reads_a_gbk_csv_with_chinese_dates(cli, ctx, world, tmp_path):
    row = make_result(name="欧阳·买买提", exam_date="2026年11月19日")
    path = tmp_path / "成绩.csv"
    path.write_bytes(csv_bytes([row], "gbk"))
    result = cli("results", "import", str(path), "--institution", "EXAM-ZH")
    assert result.exit_code == 0, result.stderr
    [past] = stored(ctx, world)
    assert past.name == "欧阳·买买提"


# --- an enormous cell -------------------------------------------------------------------------


def test_an_enormous_cell_is_cut_to_what_excel_opens_and_says_so():
    rejected = {"outcome": "rejected", "errors": [{"field": "name", "message": "x"}]}
    huge = "张" * 100_000
    data = error_sheet([{"ref": "R-1", "name": huge}], [rejected])
    sheet = load_workbook(io.BytesIO(data)).active
    cell = sheet.cell(2, FIELDS.index("name") + 1).value
    assert len(cell) == 32_767 and cell.endswith("（已截断）")


def test_the_report_names_each_row_by_its_line_in_the_file_blank_lines_included(client, world):
    log_in(client)
    good, bad = make_result(), make_result(exam_date="2026年2月30日")
    bad_line = csv_bytes([bad], "utf-8").split(b"\r\n", 1)[1]
    # line 1 the header, 2 the good row, 3 a row of empty cells, 4 an empty line, 5 the bad row
    data = csv_bytes([good], "utf-8") + b",,,\r\n\r\n" + bad_line
    page = upload(client, "r.csv", data)
    assert outcomes(page.text) == ["issued", "rejected"]
    cells = page.text.split('data-outcome="rejected"><td data-label="行">')[1]
    assert cells.startswith("5<")


def test_a_fake_report_with_the_number_as_printed_on_the_fake_reaches_the_local_officer(ctx, world):
    printed = "T 440402 19900517 0011"  # a certificate number copied from a fake, in groups
    clues.report_fake(ctx, details="工地上见到的假证", id_number=printed, name="张三")
    [clue] = clues.clues_for(ctx, world.zhuhai_officer)
    assert clue.id_number == "440402199005170011"
