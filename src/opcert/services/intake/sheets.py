"""Reading result files (.xlsx, .csv, .json) into rows with the API's field names, within the
upload limits. This runs in the child process of ``services.uploads.worker``: ``files.read_rows``
is the entry point that the pages and the CLI call.

Column headers may be the API names or their Chinese labels, so an exam institution can upload
the sheet its staff already keep. A CSV is read as UTF-8 (with or without BOM) and otherwise as
GB18030, the superset of GBK that Excel writes on Chinese Windows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from opcert.domain.errors import FieldError
from opcert.services.intake.validation import FIELD_LABELS, FIELDS
from opcert.services.uploads.archives import check_archive
from opcert.services.uploads.limits import UploadLimits, too_large

HEADER_ALIASES = {
    "成绩编号": "ref",
    "编号": "ref",
    "证件号码": "id_number",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "姓名": "name",
    "操作项目": "item",
    "操作项目代码": "item",
    "项目代码": "item",
    "理论成绩": "theory_score",
    "理论考试成绩": "theory_score",
    "实操成绩": "practical_score",
    "实际操作成绩": "practical_score",
    "考试日期": "exam_date",
    "考试点": "exam_point",
    "考试点代码": "exam_point",
    "手机号码": "phone",
    "手机": "phone",
    "培训机构": "training_institution",
    "培训机构代码": "training_institution",
    "学历": "education",
}
# Every column of the upload template and the error sheet is read back by its Chinese label.
HEADER_ALIASES.update({label: key for key, label in FIELD_LABELS.items() if key in FIELDS})
FORMATS = (".xlsx", ".csv", ".json")
# Where each row stood in the file (its line in a CSV, its row in a sheet), for the report; no
# header is read under this name (normalise_header never yields it), and nothing stores it.
LINE = "\x00line"
# Columns of digits that Excel turns into numbers when the cell is not formatted as text.
DIGIT_FIELDS = ("id_number", "phone")
# Every integer below 2**53 is exact in a double; an 18-digit ID number is far above it, so an
# ID that Excel stored as a floating-point number has lost its last digits (Excel keeps 15).
EXACT_FLOAT = 2**53
EXCEL_DIGITS = 15  # the significant digits Excel keeps of a number
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def normalise_header(text: object) -> str:
    key = str(text or "").strip().replace("\x00", "")
    return HEADER_ALIASES.get(key, key.lower())


def line_of(row: object, index: int) -> int:
    """The line or sheet row that ``row`` (the ``index``-th read) came from; for rows without
    one (a JSON file), its place after a header line."""
    line = row.get(LINE) if isinstance(row, dict) else None
    return line if isinstance(line, int) and not isinstance(line, bool) else index + 2


@dataclass
class _Budget:
    """Rows and cells read so far, against the limits. A blank row costs one cell, so a sheet
    of a million empty rows is refused as surely as one of a million full ones."""

    limits: UploadLimits
    rows: int = 0
    cells: int = 0

    def take(self, width: int, blank: bool, header: bool = False) -> None:
        self.cells += max(width, 1)
        if self.cells > self.limits.max_cells:
            raise _limit("TOO_MANY_CELLS", f"{self.limits.max_cells:,} 个单元格", "cells", self)
        if not (blank or header):
            self.rows += 1
            if self.rows > self.limits.max_rows:
                raise _limit("TOO_MANY_ROWS", f"{self.limits.max_rows:,} 行", "rows", self)


def parse_rows(name: str, data: bytes, limits: UploadLimits) -> list[Any]:
    """Rows of a results file; raises FieldError("file", ...) naming the limit or the fault."""
    if len(data) > limits.max_bytes:
        raise too_large("file", limits.max_bytes)
    suffix = Path(name).suffix.lower()
    budget = _Budget(limits)
    if suffix == ".json":
        rows = _json_rows(data, budget)
    elif suffix == ".csv":
        rows = _csv_rows(csv_text(data, name), budget)
    elif suffix == ".xlsx":
        check_archive(data, limits)
        rows = _xlsx_rows(data, budget)
    else:
        raise FieldError(
            "file",
            "FILE_TYPE",
            f"只支持 {'、'.join(FORMATS)} 文件",
            f"only {', '.join(FORMATS)} files are accepted",
        )
    return rows


def _json_rows(data: bytes, budget: _Budget) -> list[Any]:
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FieldError(
            "file",
            "JSON_INVALID",
            "JSON 文件格式有误或不是 UTF-8 编码",
            "the JSON file is malformed or not UTF-8",
        ) from None
    rows = body.get("results") if isinstance(body, dict) else body
    if not isinstance(rows, list):
        raise FieldError(
            "file",
            "JSON_SHAPE",
            'JSON 文件应为 {"results": [...]} 或数组',
            'a JSON file must be {"results": [...]} or an array',
        )
    for row in rows:
        budget.take(len(row) if isinstance(row, dict) else 1, blank=False)
        if isinstance(row, dict):
            for key in DIGIT_FIELDS:
                if key in row:
                    row[key] = _digits(row[key])
    return rows


def csv_text(data: bytes, name: str = "") -> str:
    """A CSV file's text: UTF-8 (with or without BOM) first, strictly, then GB18030 (GBK's
    superset); FieldError("file", "CSV_ENCODING") naming the file and the encodings tried when
    it is neither, or holds control characters (UTF-16, a binary file)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not CONTROL.search(text):
            return text
        break  # NUL and other controls: UTF-16 or not text at all, whatever decodes it
    shown = shown_name(name)
    raise FieldError(
        "file",
        "CSV_ENCODING",
        f"无法读取文件「{shown}」：它不是 UTF-8（含或不含 BOM）、GBK 或 GB18030 编码的 CSV。"
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新上传",
        f"cannot read {shown!r}: it is not a CSV file in UTF-8 (with or without BOM), GBK or "
        "GB18030; save it in Excel as CSV UTF-8 (comma delimited) and upload it again",
    )


def shown_name(name: str) -> str:
    """A file name as an error message shows it: its last part, printable, at most 60 chars."""
    base = Path(name.replace("\\", "/")).name
    clean = "".join(c if c.isprintable() else "\ufffd" for c in base)
    return clean if len(clean) <= 60 else clean[:57] + "..."


def _csv_rows(text: str, budget: _Budget) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text))
    rows: list[dict[str, Any]] = []
    try:
        header = [normalise_header(h) for h in next(reader, [])]
        budget.take(len(header), blank=False, header=True)
        for values in reader:
            blank = not any(v.strip() for v in values)
            budget.take(len(values), blank)
            if not blank:
                row = {k: v.strip() for k, v in zip(header, values, strict=False) if k}
                rows.append({**_with_digits(row), LINE: reader.line_num})
    except csv.Error as error:
        raise FieldError(
            "file",
            "CSV_INVALID",
            f"CSV 文件第 {reader.line_num} 行格式有误（例如引号不成对或单元格过长）",
            f"line {reader.line_num} of the CSV file is malformed ({error})",
        ) from None
    return rows


def _xlsx_rows(data: bytes, budget: _Budget) -> list[dict[str, Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError):
        raise FieldError(
            "file",
            "XLSX_INVALID",
            "文件不是有效的 .xlsx 工作簿（请用 Excel 另存为 .xlsx 后重试）",
            "the file is not a valid .xlsx workbook (save it again as .xlsx in Excel)",
        ) from None
    try:
        sheet = book.worksheets[0]
        # The declared dimension is the sender's word: a forged A1:XFD1048576 would pad every
        # row to 16,384 cells and add a million rows. Rows are read as they are stored.
        sheet.reset_dimensions()
        lines = sheet.iter_rows(values_only=True)
        header = [normalise_header(h) for h in next(lines, ())]
        budget.take(len(header), blank=False, header=True)
        rows: list[dict[str, Any]] = []
        for line, values in enumerate(lines, start=2):
            blank = all(v in (None, "") for v in values)
            budget.take(len(values), blank)
            if not blank:
                row = {k: _cell(v) for k, v in zip(header, values, strict=False) if k}
                rows.append({**_with_digits(row), LINE: line})
        return rows
    finally:
        book.close()


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)  # a time, a duration: text, as the row travels to the app as JSON


def _with_digits(row: dict[str, Any]) -> dict[str, Any]:
    for key, value in row.items():
        if key in DIGIT_FIELDS:
            row[key] = _digits(value)
        elif isinstance(value, float) and value.is_integer():
            row[key] = int(value)
    return row


def _digits(value: object) -> object:
    """A column of digits that Excel stored as a number, back as its digits when that is exact.

    When Excel already lost digits (it keeps 15 significant ones: a float above 2**53, or a long
    integer ending in the zeros Excel put for the lost digits) the value becomes the text Excel
    shows for it, such as ``4.40402199005171E+17``: the ID rule refuses that row, naming the
    column and asking for the cell to be formatted as text (``ID_EXCEL_NUMBER``), and the error
    sheet leaves the cell empty rather than write back a number that is not the person's."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        digits = str(abs(value))
        if len(digits) > EXCEL_DIGITS and len(digits.rstrip("0")) <= EXCEL_DIGITS:
            return repr(float(value)).upper()
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < EXACT_FLOAT:
            return _digits(int(value))
        return repr(value).upper()
    return value


def _limit(code: str, zh: str, en: str, budget: _Budget) -> FieldError:
    count = budget.limits.max_rows if en == "rows" else budget.limits.max_cells
    return FieldError(
        "file",
        code,
        f"文件超过 {zh}的上限，已停止读取，未接受任何内容；请分成较小的文件上传",
        f"the file has more than {count:,} {en}, the limit; reading stopped and nothing was "
        "accepted: split it into smaller files",
    )
