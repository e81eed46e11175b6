"""The safety production knowledge and management capability certificate (安全合格证, type SM).

For principal persons (主要负责人) and safety management personnel (安全生产管理人员) of units in
the high-risk industries MEM examines (Work Safety Law Art 27; Order 44): one computer exam of
100 points with 80 to pass, a 3-year validity, renewal applied for at least 30 days before
expiry, and no review cycle. Its printed fields are 人员类型 and 行业类别 instead of 作业类别
and 操作项目; on the platform the personnel type plays the part of the item (``SM1``/``SM2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opcert.domain.errors import FieldError
from opcert.domain.periods import add_years
from opcert.domain.reviews import SM_VALIDITY_YEARS

PASS_MARK = 80


@dataclass(frozen=True)
class PersonnelType:
    code: str
    name_zh: str
    name_en: str


PERSONNEL_TYPES = (
    PersonnelType("SM1", "主要负责人", "principal person in charge"),
    PersonnelType("SM2", "安全生产管理人员", "safety management personnel"),
)
_BY_TEXT = {
    **{p.code.lower(): p for p in PERSONNEL_TYPES},
    **{p.name_zh: p for p in PERSONNEL_TYPES},
    "principal": PERSONNEL_TYPES[0],
    "safety_manager": PERSONNEL_TYPES[1],
}

# MEM examines these sectors; construction (MOHURD) and road transport (MOT) are not ours.
INDUSTRIES = (
    "危险化学品生产单位",
    "危险化学品经营单位",
    "金属非金属矿山",
    "煤矿",
    "石油天然气开采",
    "烟花爆竹生产单位",
    "烟花爆竹经营单位",
    "金属冶炼",
)


def parse_personnel_type(value: object, field: str = "personnel_type") -> PersonnelType:
    found = _BY_TEXT.get(str(value).strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise FieldError(
            field,
            "PERSONNEL_TYPE_UNKNOWN",
            "人员类型应为「主要负责人」或「安全生产管理人员」",
            "personnel_type must be 主要负责人 (principal) or 安全生产管理人员 (safety_manager)",
        )
    return found


def parse_industry(value: object, field: str = "industry") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if text not in INDUSTRIES:
        raise FieldError(
            field,
            "INDUSTRY_UNKNOWN",
            f"行业类别应为：{'、'.join(INDUSTRIES)}",
            f"industry must be one of: {', '.join(INDUSTRIES)}",
        )
    return text


def personnel_type(code: str) -> PersonnelType:
    return parse_personnel_type(code, field="item")


def item_name(personnel: PersonnelType, industry: str) -> str:
    """What is printed in place of the operation item, e.g. 主要负责人（煤矿）."""
    return f"{personnel.name_zh}（{industry}）"


def validity(issued_on: date) -> tuple[date, date]:
    """First and last day of validity: 3 years, the same month and day, end inclusive."""
    return issued_on, add_years(issued_on, SM_VALIDITY_YEARS)


def passed(theory: float) -> bool:
    return theory >= PASS_MARK
