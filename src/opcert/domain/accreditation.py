"""The exam-point register (考点认定): is an exam point accredited for an item on a day?

A result is accepted only from an exam point that, on the exam date, holds an accreditation for
the item (or for every item) which attests a standardised exam point (标准化考点) and examination
kept apart from training (考培分离), and, for 焊接与热切割作业 (category 2), real equipment for the
practical exam (实物设备). Otherwise the result is refused, naming the field ``exam_point`` and
what is missing (issue 16, item 6; decision 0028).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from opcert.domain.errors import FieldError

REAL_EQUIPMENT_CATEGORIES = frozenset({"2"})  # 焊接与热切割作业: the practical on real equipment


@dataclass(frozen=True)
class Accreditation:
    item: str | None  # None: every item
    standardised: bool
    real_equipment: bool
    training_separated: bool
    valid_from: date | None
    valid_to: date | None

    def covers(self, item: str, on: date) -> bool:
        """Whether this record is for ``item`` and in force on ``on`` (both ends included)."""
        in_time = (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )
        return in_time and self.item in (None, item)


def needs_real_equipment(item: str) -> bool:
    return item.split(".")[0] in REAL_EQUIPMENT_CATEGORIES


def refusal(
    point: str, records: Sequence[Accreditation], item: str, item_name: str, on: date
) -> FieldError | None:
    """None when ``records`` accredit the point for ``item`` on ``on``; otherwise the error that
    refuses the result, saying what the register lacks."""
    found = [r for r in records if r.covers(item, on)]
    if not found:
        return FieldError(
            "exam_point",
            "EXAM_POINT_NOT_ACCREDITED",
            f"考试点「{point}」在考试日期 {on} 未经认定可考核「{item_name}」，成绩不予受理",
            f"exam point {point} was not accredited for item {item} on the exam date {on}; "
            "the result is refused",
        )
    if not any(r.standardised and r.training_separated for r in found):
        return FieldError(
            "exam_point",
            "EXAM_POINT_NOT_STANDARDISED",
            f"考试点「{point}」在考试日期 {on} 未登记为考培分离的标准化考点，成绩不予受理",
            f"exam point {point} was not registered on {on} as a standardised exam point with "
            "examination kept apart from training; the result is refused",
        )
    if needs_real_equipment(item) and not any(
        r.standardised and r.training_separated and r.real_equipment for r in found
    ):
        return FieldError(
            "exam_point",
            "EXAM_POINT_NO_REAL_EQUIPMENT",
            f"考试点「{point}」在考试日期 {on} 未登记焊接与热切割实操考试的实物设备，成绩不予受理",
            f"exam point {point} had no real equipment registered on {on} for the practical "
            "exam of welding and thermal cutting; the result is refused",
        )
    return None
