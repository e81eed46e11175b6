"""Row validation for exam results: every field checked, every problem named, nothing stored."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from opcert.domain import safety_manager
from opcert.domain.accreditation import Accreditation, refusal
from opcert.domain.catalogue import Catalogue, Item
from opcert.domain.errors import FieldError
from opcert.domain.identity import ResidentId, parse_resident_id
from opcert.domain.input_formats import parse_date, parse_score
from opcert.domain.names import PersonName
from opcert.domain.rules import Education, parse_education
from opcert.domain.unsafe_text import first_unsafe, unsafe_character

MAX_REF = 64
PHONE = re.compile(r"^1[3-9]\d{9}$")
FIELDS = (
    "ref",
    "id_number",
    "name",
    "item",
    "theory_score",
    "practical_score",
    "exam_date",
    "exam_point",
    "phone",
    "training_institution",
    "education",
    "certificate_type",
    "personnel_type",
    "industry",
)
# Chinese names of the fields, as the upload sheet and the pages call them.
FIELD_LABELS = {
    "row": "行",
    "ref": "成绩编号",
    "id_number": "证件号码",
    "name": "姓名",
    "item": "操作项目",
    "theory_score": "理论成绩",
    "practical_score": "实操成绩",
    "exam_date": "考试日期",
    "exam_point": "考试点",
    "phone": "手机号码",
    "training_institution": "培训机构",
    "education": "学历",
    "certificate_type": "证书类型",
    "personnel_type": "人员类型",
    "industry": "行业类别",
}
CERTIFICATE_TYPES = {"SO": "SO", "SM": "SM", "特种作业操作证": "SO", "安全合格证": "SM"}


@dataclass(frozen=True)
class PointInfo:
    id: int
    code: str
    institution_id: int
    region: str
    items: tuple[str, ...] | None
    active: bool
    # The exam-point register (decision 0028): a result is refused unless one covers it.
    accreditations: tuple[Accreditation, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class ValidRow:
    index: int
    ref: str
    content_hash: str
    identity: ResidentId
    name: str
    item: Item
    theory: float
    practical: float | None
    exam_on: date
    point: PointInfo
    phone: str | None
    training_institution: str | None
    education: Education | None
    typ: str = "SO"


@dataclass(frozen=True)
class InvalidRow:
    index: int
    ref: str | None
    errors: list[FieldError]


def content_hash(row: dict[str, Any]) -> str:
    """Hash of what the institution sent; the same ref with another hash is a conflict."""
    known = {key: row.get(key) for key in FIELDS if row.get(key) not in (None, "")}
    text = json.dumps(known, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class RowValidator:
    def __init__(
        self,
        catalogue: Catalogue,
        today: date,
        institution_id: int,
        points: dict[str, PointInfo],
    ) -> None:
        self.catalogue = catalogue
        self.today = today
        self.institution_id = institution_id
        self.points = points

    def validate(self, index: int, row: object) -> ValidRow | InvalidRow:
        """Parse one row; return it typed, or every field error found (never raises)."""
        if not isinstance(row, dict):
            error = FieldError(
                "row",
                "ROW_NOT_OBJECT",
                "每条成绩必须是一个 JSON 对象",
                "each result must be a JSON object",
            )
            return InvalidRow(index, None, [error])
        errors = _unsafe_fields(row)
        values: dict[str, Any] = {}
        typ = _certificate_type(row.get("certificate_type"), errors)
        for key, field, parse in self._parsers(typ, row):
            if any(error.field == field for error in errors):
                continue
            try:
                values[key] = parse(row.get(field))
            except FieldError as error:
                errors.append(error)
        if not errors:
            errors += _accreditation(values, typ)
        if errors:
            ref = values.get("ref") or _text_or_none(row.get("ref"))
            return InvalidRow(index, ref, errors)
        return ValidRow(index=index, content_hash=content_hash(row), typ=typ, **values)

    def _parsers(self, typ: str, row: dict[str, Any]) -> list[tuple[str, str, Any]]:
        item: tuple[str, str, Callable[[object], Item]] = ("item", "item", self._item)
        if typ == "SM":
            # The personnel type and industry stand in for the operation item.
            item = ("item", "personnel_type", lambda v: _sm_item(v, row.get("industry")))
        return [
            ("ref", "ref", _ref),
            ("identity", "id_number", self._identity),
            ("name", "name", _name),
            item,
            ("theory", "theory_score", lambda v: _score(v, "theory_score", required=True)),
            (
                "practical",
                "practical_score",
                lambda v: _score(v, "practical_score", required=False),
            ),
            ("exam_on", "exam_date", self._exam_date),
            ("point", "exam_point", self._point),
            ("phone", "phone", _phone),
            ("training_institution", "training_institution", _optional_code),
            ("education", "education", _education),
        ]

    def _identity(self, value: object) -> ResidentId:
        if not isinstance(value, str) or not value.strip():
            raise _error(
                "id_number", "ID_EMPTY", "请填写身份证号码", "the resident ID number is required"
            )
        return parse_resident_id(value, today=self.today, field="id_number")

    def _item(self, value: object) -> Item:
        if not isinstance(value, str) or not value.strip():
            raise _error(
                "item",
                "REQUIRED",
                "请填写操作项目代码，如 1.2",
                "the item code is required, e.g. 1.2",
            )
        return self.catalogue.item(value.strip(), field="item")

    def _exam_date(self, value: object) -> date:
        try:
            parsed = parse_date(value, "exam_date")
        except FieldError as error:
            if error.code == "REQUIRED":
                raise _error(
                    "exam_date", "REQUIRED", "请填写考试日期", "the exam date is required"
                ) from None
            raise
        if parsed > self.today:
            raise _error(
                "exam_date",
                "DATE_IN_FUTURE",
                f"考试日期 {parsed} 晚于今天（{self.today}）",
                f"exam date {parsed} is after today ({self.today})",
            )
        if parsed.year < 2000:
            raise _error("exam_date", "DATE_TOO_OLD", "考试日期早于2000年", "exam date before 2000")
        return parsed

    def _point(self, value: object) -> PointInfo:
        if not isinstance(value, str) or not value.strip():
            raise _error(
                "exam_point", "REQUIRED", "请填写考试点代码", "the exam point code is required"
            )
        point = self.points.get(value.strip())
        if point is None:
            raise _error(
                "exam_point",
                "EXAM_POINT_UNKNOWN",
                f"考试点「{value}」未在平台登记",
                f"exam point {value!r} is not registered",
            )
        if point.institution_id != self.institution_id:
            raise _error(
                "exam_point",
                "EXAM_POINT_NOT_YOURS",
                f"考试点「{value}」不属于本考试机构",
                f"exam point {value!r} belongs to another institution",
            )
        return point


def _accreditation(values: dict[str, Any], typ: str) -> list[FieldError]:
    """A result from an exam point not accredited for the item on the exam date is refused."""
    point: PointInfo = values["point"]
    item: Item = values["item"]
    code = "SM" if typ == "SM" else item.code
    error = refusal(point.code, point.accreditations, code, item.name_zh, values["exam_on"])
    return [error] if error is not None else []


def _unsafe_fields(row: dict[str, Any]) -> list[FieldError]:
    """NUL, control, bidi, zero-width characters and lone surrogates, in any field of a row that
    came from a sheet or the CLI (the API's JSON decoder refuses them before)."""
    errors = []
    for field in FIELDS:
        value = row.get(field)
        char = first_unsafe(value) if isinstance(value, str) else None
        if char is not None:
            errors.append(unsafe_character(field, char))
    return errors


def _certificate_type(value: object, errors: list[FieldError]) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "SO"
    typ = CERTIFICATE_TYPES.get(value.strip()) if isinstance(value, str) else None
    if typ is None:
        errors.append(
            _error(
                "certificate_type",
                "CERTIFICATE_TYPE_UNKNOWN",
                "证书类型应为 SO（特种作业操作证）或 SM（安全合格证）",
                "certificate_type must be SO (special operation) or SM (safety manager)",
            )
        )
        return "SO"
    return typ


def _sm_item(personnel: object, industry: object) -> Item:
    """A safety-manager certificate's "item": its personnel type within an industry."""
    kind = safety_manager.parse_personnel_type(personnel)
    sector = safety_manager.parse_industry(industry)
    return Item(
        code=kind.code,
        category_code="SM",
        name_zh=safety_manager.item_name(kind, sector),
        name_en=f"{kind.name_en} ({sector})",
    )


def _error(field: str, code: str, zh: str, en: str) -> FieldError:
    return FieldError(field, code, zh, en)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _ref(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _error(
            "ref", "REQUIRED", "请填写成绩编号 ref", "the result reference (ref) is required"
        )
    value = value.strip()
    if len(value) > MAX_REF:
        raise _error(
            "ref",
            "TOO_LONG",
            f"成绩编号不能超过 {MAX_REF} 个字符",
            f"ref is longer than {MAX_REF} characters",
        )
    return value


def _name(value: object) -> str:
    return PersonName.parse(value, "name").text


def _score(value: object, field: str, *, required: bool) -> float | None:
    return parse_score(value, field, required=required)


def _phone(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(" ", "").replace("-", "")
    if not PHONE.match(text):
        raise _error(
            "phone",
            "PHONE_FORMAT",
            f"手机号码「{value}」格式不正确，应为11位数字",
            f"phone {value!r} is not an 11-digit mainland mobile number",
        )
    return text


def _optional_code(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()[:40]


def _education(value: object) -> Education | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_education(str(value), field="education")
