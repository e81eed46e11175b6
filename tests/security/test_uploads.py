"""Uploads and heavy work off the event loop (issue 12, part 5) and formula-safe exported sheets
(part 7, last bullet).

Result sheets and photos are read in a child process under hard limits: bytes (while the body
arrives), rows, cells, the unzipped size and ratio of an .xlsx (before openpyxl opens it),
pixels (from the image header, before decoding), wall time (the child is killed) and memory.
"""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
import tracemalloc
import zipfile
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from opcert.domain.errors import FieldError
from opcert.interfaces.api.app import create_app
from opcert.interfaces.http_errors import status_for
from opcert.services.holders import identity_reviews
from opcert.services.intake import submissions
from opcert.services.intake.files import error_sheet, read_rows
from opcert.services.intake.sheets import LINE, parse_rows
from opcert.services.kernel.spreadsheet_cells import append_row, csv_cell
from opcert.services.uploads.images import open_header
from opcert.services.uploads.limits import (
    MB,
    PHOTO_LIMITS,
    SHEET_LIMITS,
    UploadBusy,
    UploadLimits,
)
from opcert.services.verification.photo import verify_photo
from tests.integration.builders import clerk_workbook, id_number, make_result
from tests.integration.cli_runner import cli_of
from tests.integration.web_pages import post_form
from tests.security.hostile_files import (
    forged_dimension_xlsx,
    png_header,
    png_of_size,
    sheet_of_numbers,
    wide_sheet_xlsx,
    xlsx_with_sheet,
    zip_bomb_xlsx,
)
from tests.security.served import institution_session, served, upload_photo, upload_results
from tests.security.session_helpers import (
    INSTITUTION_PASSWORD,
    INSTITUTION_USER,
    add_institution_user,
    institution_web_login,
)

COLUMNS = [
    "ref",
    "id_number",
    "name",
    "item",
    "theory_score",
    "practical_score",
    "exam_date",
    "exam_point",
]
LABELS = [
    "成绩编号",
    "身份证号码",
    "姓名",
    "操作项目",
    "理论成绩",
    "实操成绩",
    "考试日期",
    "考试点代码",
]
POINT = "EP-440400-01"


# --- how an institution uploads on this branch (one place to change) --------------------------


def log_in(client, world) -> None:  # type: ignore[no-untyped-def]
    """The Zhuhai exam institution's web user, logged in on the pages."""
    add_institution_user(client.app.state.platform)
    institution_web_login(client)


def upload(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    files = {"file": (name, data, "application/octet-stream")}
    return post_form(client, "/institution/upload", "/institution/upload", {}, files=files)


def stored(ctx, world) -> int:  # type: ignore[no-untyped-def]
    return len(submissions.past_results(ctx, world.zhuhai))


def csv_of(rows: list[dict], encoding: str = "utf-8", labels: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LABELS if labels else COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue().encode(encoding)


def xlsx_of(rows: list[list[object]], header: list[str] = COLUMNS) -> bytes:
    return clerk_workbook(rows, header)


def without_lines(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The rows as read, without the line each came from."""
    return [{k: v for k, v in row.items() if k != LINE} for row in rows]


def refusal(name: str, data: bytes, limits: UploadLimits = SHEET_LIMITS) -> FieldError:
    with pytest.raises(FieldError) as caught:
        read_rows(name, data, limits)
    return caught.value


# --- bytes, zip bombs, rows, cells -------------------------------------------------------------


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened_and_nothing_is_stored(
    client, ctx, world
):
    log_in(client, world)
    page = upload(client, "results.xlsx", zip_bomb_xlsx(50))
    assert page.status_code == 422
    assert 'id="e-file"' in page.text and "压缩炸弹" in page.text
    assert stored(ctx, world) == 0


def test_a_workbook_that_unzips_past_the_limit_or_holds_too_many_parts_is_refused():
    workbook = wide_sheet_xlsx(60, 1000)  # about 1.2 MB of XML, an honest compression ratio
    limits = UploadLimits(max_unzipped_bytes=MB)
    assert refusal("r.xlsx", workbook, limits).code == "XLSX_TOO_LARGE"
    assert "解压后" in refusal("r.xlsx", workbook, limits).message_zh
    parts = xlsx_with_sheet(extra={f"xl/media/p{n}.bin": b"x" for n in range(20)})
    assert refusal("r.xlsx", parts, UploadLimits(max_members=10)).code == "XLSX_TOO_LARGE"


def test_a_file_over_the_byte_limit_gets_413_before_it_is_parsed(client, ctx, world):
    log_in(client, world)
    page = upload(client, "results.csv", b"x" * (SHEET_LIMITS.max_bytes + 1))
    assert page.status_code == 413
    assert 'id="e-file"' in page.text and "10 MB" in page.text
    assert stored(ctx, world) == 0


def test_a_sheet_of_1001_rows_uploaded_on_the_page_is_imported_whole_as_the_cli_imports_it(
    client, cli, ctx, world, tmp_path
):
    log_in(client, world)
    holders = [id_number(born=date(1990, 1, 1) + timedelta(days=n % 3), seq=n) for n in range(1001)]
    rows = [make_result(id_number=holder) for holder in holders]
    rows[-1]["theory_score"] = 40  # row 1,001, past the first batch, fails the exam
    sheet = csv_of(rows)
    page = upload(client, "results.csv", sheet)
    assert page.status_code == 200
    assert page.text.count('data-outcome="issued"') == ctx.batch_limit
    assert page.text.count('data-outcome="failed"') == 1
    assert page.text.rindex('data-outcome="issued"') < page.text.index('data-outcome="failed"')
    with ctx.uow() as uow:
        assert len(uow.results.of_institution(world.zhuhai.id, limit=5_000)) == 1_001
    # The same file at the command line: the same 1,001 outcomes, replayed, nothing added.
    path = tmp_path / "results.csv"
    path.write_bytes(sheet)
    again = cli("results", "import", str(path), "--institution", "EXAM-ZH")
    assert again.exit_code == 0, again.stderr
    assert "1001 rows: failed 1, issued 1000" in again.stderr
    with ctx.uow() as uow:
        assert len(uow.results.of_institution(world.zhuhai.id, limit=5_000)) == 1_001


def test_more_rows_than_a_sheet_may_hold_are_refused_naming_the_limit(client, ctx, world):
    log_in(client, world)
    rows = [make_result() for _ in range(SHEET_LIMITS.max_rows + 1)]
    page = upload(client, "results.csv", csv_of(rows))
    assert page.status_code == 422
    assert f"{SHEET_LIMITS.max_rows:,} 行" in page.text
    assert stored(ctx, world) == 0


def test_too_many_cells_are_refused_and_blank_rows_count_too():
    limits = UploadLimits(max_cells=1_000)
    wide = ("ref" + ",x" * 199 + "\n") + ("R-1" + ",1" * 199 + "\n") * 10
    assert refusal("r.csv", wide.encode(), limits).code == "TOO_MANY_CELLS"
    blank = "ref\n" + ",\n" * 2_000
    assert refusal("r.csv", blank.encode(), limits).code == "TOO_MANY_CELLS"
    assert refusal("r.xlsx", wide_sheet_xlsx(20, 100), limits).code == "TOO_MANY_CELLS"


def test_a_forged_sheet_dimension_does_not_pad_every_row_to_the_whole_grid():
    rows = read_rows("r.xlsx", forged_dimension_xlsx(30))  # 30 × 16,384 cells if padded
    assert rows == [{"ref": f"R-{n}", LINE: n} for n in range(2, 32)]


def test_a_parser_that_runs_out_of_time_is_killed():
    # 600,000 cells (the cell limit raised for this test): several seconds of openpyxl even on
    # a quiet machine, far more than the 1 s allowed.
    workbook = wide_sheet_xlsx(600, 1000)
    before = _readers()  # a reader kept ready by a server may be there, and be the one used
    started = time.monotonic()
    error = refusal("r.xlsx", workbook, UploadLimits(seconds=1, max_cells=1_000_000))
    after = _readers()
    assert error.code == "PARSE_TIMEOUT" and error.field == "file"
    assert "1 秒" in error.message_zh
    assert time.monotonic() - started < 10
    assert not before & after, "the reader that ran out of time is still alive"
    assert len(after) <= len(before), "a reader other than the one kept ready is alive"


def _readers() -> set[int]:
    """Live (not zombie) upload readers that are children of this process."""
    import os

    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ours = int(stat[1]) == os.getpid() and stat[0] != "Z"
        if ours and b"opcert.services.uploads.child" in command:
            found.add(int(entry.name))
    return found


def test_uploads_past_the_readers_and_their_queue_get_503_instead_of_waiting_forever():
    from opcert.interfaces.web import uploads as web_uploads

    async def scenario() -> None:
        gate = threading.Event()
        held = [
            asyncio.create_task(web_uploads.off_loop(gate.wait, 5))
            for _ in range(web_uploads.READERS + web_uploads.QUEUE)
        ]
        limiter = web_uploads._limiter()
        for _ in range(200):  # until every reader is taken and the queue is full
            if limiter.statistics().tasks_waiting == web_uploads.QUEUE:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(UploadBusy) as caught:
            await web_uploads.off_loop(gate.wait, 5)
        assert status_for(caught.value) == 503
        gate.set()
        await asyncio.gather(*held)

    asyncio.run(scenario())


# --- images -----------------------------------------------------------------------------------


def test_a_144_megapixel_png_is_refused_from_its_header_without_decoding():
    header = png_header(12_000, 12_000)  # no pixel data at all: decoding would fail otherwise
    tracemalloc.start()
    with pytest.raises(FieldError) as caught:
        open_header(header, PHOTO_LIMITS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert caught.value.code == "TOO_MANY_PIXELS" and caught.value.field == "photo"
    assert "12000×12000" in caught.value.message_zh
    assert peak < 2 * MB


def test_the_anonymous_verify_page_refuses_a_huge_pixel_photo(client):
    files = {"photo": ("qr.png", png_of_size(12_000, 12_000), "image/png")}
    page = post_form(client, "/verify", "/verify", {}, files=files)
    assert page.status_code == 422
    assert 'id="e-photo"' in page.text and "百万像素" in page.text


def test_a_photo_that_needs_more_memory_than_allowed_is_stopped(ctx):
    with pytest.raises(FieldError) as caught:
        verify_photo(ctx, png_of_size(7_000, 5_000), UploadLimits(memory_bytes=16 * MB))
    assert caught.value.code == "PARSE_MEMORY" and caught.value.field == "photo"


def _review_step(client, ctx, world):  # type: ignore[no-untyped-def]
    from tests.integration.test_web_holder import code_step, holder

    code_step(client, holder(ctx, world))
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "fail"})
    assert face.headers["location"] == "/holder/review"


def _reviews(ctx) -> list[int]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return [row.id for row in uow.identity_reviews.in_scope("CN-44")]


def test_an_identity_review_photo_is_checked_by_content_not_by_its_claimed_type(client, ctx, world):
    _review_step(client, ctx, world)
    for data in (b"<html>not a picture</html>", png_of_size(12_000, 12_000)):
        files = {"photo": ("me.png", data, "image/png")}
        page = post_form(
            client, "/holder/review", "/holder/review", {"authority": "CN-440000"}, files=files
        )
        assert page.status_code == 422 and 'id="e-photo"' in page.text
    assert _reviews(ctx) == []
    jpeg = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (16, 16), "white").save(jpeg, format="JPEG")
    files = {"photo": ("me.png", jpeg.getvalue(), "image/png")}
    sent = post_form(
        client, "/holder/review", "/holder/review", {"authority": "CN-440000"}, files=files
    )
    assert sent.headers["location"] == "/holder/review/sent"
    [review] = _reviews(ctx)
    assert identity_reviews.review_photo(ctx, world.guangdong_officer, review)[1] == "image/jpeg"


# --- encodings and numbers from Excel ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_with_chinese_headers_is_read_in_utf8_gbk_and_gb18030(client, ctx, world, encoding):
    log_in(client, world)
    row = make_result(name="欧阳娜娜")
    page = upload(client, "成绩.csv", csv_of([row], encoding, labels=True))
    assert page.status_code == 200 and 'data-outcome="issued"' in page.text
    [past] = submissions.past_results(ctx, world.zhuhai)
    assert past.name == "欧阳娜娜"


def test_gb18030_reads_characters_that_gbk_does_not_have():
    name = "王\U0002a6a5"  # a four-byte GB18030 character, outside GBK
    rows = read_rows("r.csv", csv_of([{"ref": "R-1", "name": name}], "gb18030", labels=True))
    assert rows[0]["name"] == name


@pytest.mark.parametrize(
    "data",
    [
        "姓名\n张三\n".encode("utf-16"),  # Excel's "Unicode text"
        bytes(range(256)) * 4,
        b"\x81\x30",  # a GB18030 lead byte cut short
    ],
    ids=["utf-16", "binary", "truncated-gb18030"],
)
def test_a_csv_in_neither_encoding_gets_a_clear_error_not_a_python_message(data):
    error = refusal("r.csv", data)
    assert error.code == "CSV_ENCODING" and error.field == "file"
    assert "UTF-8" in error.message_zh and "GBK" in error.message_zh


def test_an_id_number_excel_stored_as_an_integer_is_read_back_as_its_digits(client, ctx, world):
    log_in(client, world)
    number = id_number(seq=7)
    row = ["R-1", number, "张三", "1.2", "86", "90", "2026-11-19", POINT]
    workbook = sheet_of_numbers(COLUMNS, row)
    assert read_rows("r.xlsx", workbook)[0]["id_number"] == number
    page = upload(client, "r.xlsx", workbook)
    assert 'data-outcome="issued"' in page.text
    assert "请填写身份证号码" not in page.text


def test_an_id_number_that_lost_digits_as_a_float_refuses_its_row_naming_the_column(
    client, ctx, world
):
    log_in(client, world)
    lossy = float(id_number(seq=8))  # what Excel keeps of an 18-digit number: 15 digits
    good = ["R-1", id_number(seq=9), "张三", "1.2", 86, 90, "2026-11-19", POINT]
    page = upload(
        client,
        "r.xlsx",
        xlsx_of([good, ["R-2", lossy, "李四", "1.2", 86, 90, "2026-11-19", POINT]]),
    )
    assert page.status_code == 200
    assert page.text.count('data-outcome="issued"') == 1
    assert page.text.count('data-outcome="rejected"') == 1
    assert "证件号码：身份证号码被 Excel 存成了数字" in page.text and "文本" in page.text
    assert "请填写身份证号码" not in page.text
    assert stored(ctx, world) == 1
    scientific = csv_of([{"ref": "R-1", "id_number": "4.40402E+17", "name": "张三"}])
    assert read_rows("r.csv", scientific)[0]["id_number"] == "4.40402E+17"


# --- exported sheets never run formulas -------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"]


def test_formula_like_cells_of_the_error_sheet_are_text_and_real_numbers_stay_numbers(
    client, ctx, world
):
    log_in(client, world)
    rows = [
        [f"R-{n}", "123", text, "1.2", -5, 90, "2026-11-19", POINT]
        for n, text in enumerate(HOSTILE)
    ]
    page = upload(client, "r.xlsx", xlsx_of(rows))
    link = page.text.split('href="/institution/error-sheets/')[1].split('"')[0]
    sheet_bytes = client.get(f"/institution/error-sheets/{link}").content
    raw = zipfile.ZipFile(io.BytesIO(sheet_bytes)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in raw and "<f " not in raw
    sheet = load_workbook(io.BytesIO(sheet_bytes)).active
    names = {sheet.cell(r, 3).value: sheet.cell(r, 3) for r in range(2, sheet.max_row + 1)}
    for text in HOSTILE:
        # The very text (XML stores a CR as a line feed), so the corrected sheet can be uploaded
        # again as it is.
        cell = names[text.replace("\r", "\n")]
        assert cell.data_type == "s" and cell.quotePrefix
    score = sheet.cell(2, 5)
    assert score.value == -5 and score.data_type == "n" and not score.quotePrefix


def test_the_error_sheet_of_a_csv_upload_keeps_negative_number_texts_plain():
    outcome = {"outcome": "rejected", "errors": [{"field": "name", "message": "x"}]}
    rows = [{"ref": "-5", "name": text} for text in ["=1+1", "\r=1"]]
    sheet_bytes = error_sheet(rows, [outcome, outcome])
    sheet = load_workbook(io.BytesIO(sheet_bytes)).active
    assert sheet.cell(2, 1).value == "-5" and not sheet.cell(2, 1).quotePrefix
    assert sheet.cell(2, 3).value == "=1+1" and sheet.cell(2, 3).quotePrefix
    assert sheet.cell(3, 3).data_type == "s" and sheet.cell(3, 3).quotePrefix


@pytest.fixture
def cli(platform, monkeypatch):  # type: ignore[no-untyped-def]
    with cli_of(platform, monkeypatch) as run:
        yield run


def test_the_cli_import_reads_through_the_same_limits_and_escapes_its_report(cli, world, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb_xlsx(50))
    refused = cli("results", "import", str(bomb), "--institution", "EXAM-ZH")
    assert refused.exit_code != 0 and "压缩炸弹" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (SHEET_LIMITS.max_bytes + 1))
    assert "10 MB" in cli("results", "import", str(big), "--institution", "EXAM-ZH").stderr
    source = tmp_path / "gbk.csv"
    source.write_bytes(
        csv_of([make_result(ref="=1+2", name="张三"), make_result(ref="-5")], "gbk", labels=True)
    )
    report = tmp_path / "report.csv"
    done = cli(
        "results", "import", str(source), "--institution", "EXAM-ZH", "--report", str(report)
    )
    assert done.exit_code == 0, done.stderr
    refs = [line[1] for line in csv.reader(report.read_text("utf-8").splitlines()[1:])]
    assert refs == ["'=1+2", "-5"]


def test_a_legacy_card_csv_saved_by_excel_in_gbk_is_imported(cli, world, tmp_path):
    holder = id_number(seq=11)
    cards = tmp_path / "cards.csv"
    cards.write_bytes(
        (
            "number,id_number,name,item,first_issued_on,valid_from,valid_to,review_due_on,"
            f"authority\n44040012345678,{holder},欧阳娜娜,1.1,2013-05-01,2020-08-01,2026-08-01,"
            "2026-08-01,CN-440400\n"
        ).encode("gbk")
    )
    done = cli("legacy", "import", str(cards))
    assert done.exit_code == 0, done.stderr
    assert "imported 1" in done.stdout
    cards.write_bytes("number\n1\n".encode("utf-16"))
    refused = cli("legacy", "import", str(cards))
    assert refused.exit_code != 0 and "编码" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout


# --- properties -------------------------------------------------------------------------------

CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(CELL_TEXT, CELL_TEXT), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_any_csv_text_is_read_back_as_written_in_either_encoding(rows, encoding):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "成绩编号"])
    writer.writerows(rows)
    read = parse_rows("r.csv", out.getvalue().encode(encoding), SHEET_LIMITS)
    expected = [
        {"name": name.strip(), "ref": ref.strip()}
        for name, ref in rows
        if name.strip() or ref.strip()
    ]
    assert without_lines(read) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(CELL_TEXT.filter(bool), CELL_TEXT.filter(bool)), max_size=5))
def test_any_text_cells_of_a_workbook_are_read_back_as_written(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "成绩编号"])
    for name, ref in rows:
        sheet.append([name, ref])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # typed text, even when it starts with =
    saved = io.BytesIO()
    book.save(saved)
    read = parse_rows("r.xlsx", saved.getvalue(), SHEET_LIMITS)
    assert without_lines(read) == [{"name": name, "ref": ref} for name, ref in rows]


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".json"]))
def test_any_bytes_are_rows_or_a_named_file_error_never_a_crash(data, suffix):
    outcome = _rows_or_error("r" + suffix, data)
    if isinstance(outcome, FieldError):
        assert outcome.field == "file" and outcome.message_zh and outcome.message_en
    else:
        assert isinstance(outcome, list)


def _rows_or_error(name: str, data: bytes) -> list | FieldError:  # type: ignore[type-arg]
    try:
        return parse_rows(name, data, SHEET_LIMITS)
    except FieldError as error:
        return error


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=30))
def test_no_text_is_written_as_a_formula_in_either_kind_of_sheet(text):
    escaped = csv_cell(text)
    assert isinstance(escaped, str)
    if escaped != text:
        assert escaped == "'" + text
    elif text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(text)  # left as it is only when it is a plain number
    book = Workbook()
    append_row(book.active, [text])
    saved = io.BytesIO()
    book.save(saved)
    cell = load_workbook(io.BytesIO(saved.getvalue())).active.cell(1, 1)
    assert cell.data_type == "s" or cell.value is None


# --- the served process -----------------------------------------------------------------------


def _poll_while(url: str, running: threading.Event, seconds: float = 180) -> list[float]:
    times = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=10) as client:
        while running.is_set() and time.monotonic() < deadline:
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            times.append(time.perf_counter() - started)
            time.sleep(0.05)
    return times


def test_the_server_answers_healthz_within_100_ms_while_hostile_uploads_are_read(platform, world):
    # 1,026 rows 390 numbers wide, just over the cell limit: seconds of openpyxl before the cell
    # limit refuses it.
    workbook = wide_sheet_xlsx(1_026, 390)
    png = png_of_size(12_000, 12_000)
    with served(platform) as server:
        add_institution_user(platform)
        session = institution_session(server.url, INSTITUTION_USER, INSTITUTION_PASSWORD)
        rss_before = server.rss_bytes()
        answers: list[httpx.Response] = []
        running = threading.Event()
        running.set()

        def hostile() -> None:
            workers = [
                threading.Thread(target=lambda: answers.append(upload_photo(server.url, png)))
                for _ in range(4)
            ]
            try:
                for worker in workers:
                    worker.start()
                answers.append(upload_results(session, "results.xlsx", workbook))
                for worker in workers:
                    worker.join()
            finally:
                running.clear()

        started = time.monotonic()
        attack = threading.Thread(target=hostile)
        attack.start()
        latencies = _poll_while(server.url, running)
        attack.join()
        took = time.monotonic() - started
        rss_after = server.rss_bytes()
        session.close()
    assert sorted(a.status_code for a in answers) == [422] * 5
    assert sum("百万像素" in a.text for a in answers) == 4
    assert any("400,000 个单元格" in a.text or "秒内" in a.text for a in answers)
    print(f"healthz: {len(latencies)} answers in {took:.1f} s, slowest {max(latencies):.3f} s")
    latencies.sort()
    assert latencies[len(latencies) // 2] < 0.1, latencies
    # A margin for a shared, busy machine (2 cores, load 6 to 8 while this was written: the
    # slowest answer was 0.1 to 0.64 s). Reading on the event loop held one answer for the
    # whole parse (4.3 s).
    assert latencies[-1] < 1.0, latencies
    assert took > 1 and len(latencies) >= 10, "the hostile upload was not read long enough"
    assert rss_after - rss_before < 100 * MB


def test_an_upload_body_is_not_read_past_the_limit(platform):
    """Without a Content-Length (chunked), the body is counted as it arrives: the page stops
    reading a little past the photo limit and answers 413, instead of spooling it all."""
    chunks = {"read": 0}

    async def receive() -> dict:
        if chunks["read"] == 0:
            chunks["read"] += 1
            head = b'--x\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\n\r\n'
            return {"type": "http.request", "body": head, "more_body": True}
        chunks["read"] += 1
        return {"type": "http.request", "body": b"\0" * MB, "more_body": chunks["read"] < 1_000}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/verify",
        "raw_path": b"/verify",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"multipart/form-data; boundary=x"), (b"host", b"test")],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
        "state": {},
    }
    asyncio.run(create_app(platform)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert chunks["read"] <= PHOTO_LIMITS.max_bytes // MB + 2
