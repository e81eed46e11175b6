"""Reading result files (.xlsx, .csv, .json) into rows with the API's field names.

Column headers may be the API names or their Chinese labels, so an exam institution can upload
the sheet its staff already keep.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from opcert.domain.errors import FieldError
from opcert.services.intake.validation import FIELDS

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
FORMATS = (".xlsx", ".csv", ".json")


def normalise_header(text: object) -> str:
    key = str(text or "").strip()
    return HEADER_ALIASES.get(key, key.lower())


def read_rows(name: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of a results file; raises FieldError("file", ...) when the file cannot be read."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".json":
            return _json_rows(data)
        if suffix == ".csv":
            return list(_csv_rows(data))
        if suffix == ".xlsx":
            return list(_xlsx_rows(data))
    except FieldError:
        raise
    except Exception as error:
        raise FieldError(
            "file", "FILE_UNREADABLE", f"无法读取文件：{error}", f"cannot read the file: {error}"
        ) from None
    raise FieldError(
        "file",
        "FILE_TYPE",
        f"只支持 {'、'.join(FORMATS)} 文件",
        f"only {', '.join(FORMATS)} files are accepted",
    )


def _json_rows(data: bytes) -> list[dict[str, Any]]:
    body = json.loads(data.decode("utf-8-sig"))
    rows = body.get("results") if isinstance(body, dict) else body
    if not isinstance(rows, list):
        raise FieldError(
            "file",
            "JSON_SHAPE",
            'JSON 文件应为 {"results": [...]} 或数组',
            'a JSON file must be {"results": [...]} or an array',
        )
    return rows


def _csv_rows(data: bytes) -> Iterator[dict[str, Any]]:
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = [normalise_header(h) for h in next(reader, [])]
    for values in reader:
        if any(v.strip() for v in values):
            yield {k: v.strip() for k, v in zip(header, values, strict=False) if k}


def _xlsx_rows(data: bytes) -> Iterator[dict[str, Any]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [normalise_header(h) for h in next(rows, ())]
    for values in rows:
        if values is None or all(v in (None, "") for v in values):
            continue
        yield {k: _cell(v) for k, v in zip(header, values, strict=False) if k}
    book.close()


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def error_sheet(rows: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> bytes:
    """An .xlsx of the rows that were not accepted, each with its errors, for correction."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    # The API's own field names, so the corrected sheet can be uploaded again as it is.
    fields = list(FIELDS)
    sheet.append([*fields, "outcome", "errors"])
    for row, outcome in zip(rows, outcomes, strict=False):
        if outcome["outcome"] in ("rejected", "failed"):
            problems = "; ".join(f"{e['field']}: {e['message']}" for e in outcome.get("errors", []))
            if not problems:
                problems = "; ".join(r["message"] for r in outcome.get("reasons", []))
            sheet.append([_plain(row.get(f)) for f in fields] + [outcome["outcome"], problems])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value: object) -> object:
    return value if isinstance(value, (str, int, float)) or value is None else str(value)
