"""The exam-point register (考点认定, issue 16 item 6; decision 0028): record, end and list the
accreditations of an exam point per item. Intake reads them (``domain/accreditation.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from opcert.domain.accreditation import needs_real_equipment
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.domain.errors import FieldError, NotFound, ValidationFailed
from opcert.domain.input_formats import parse_date
from opcert.persistence.models import ExamPoint, ExamPointAccreditation
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext

MAX_ITEMS = 100


@dataclass(frozen=True)
class Terms:
    """What an accreditation attests, and from when to when (None: open)."""

    standardised: bool = True
    real_equipment: bool = True
    training_separated: bool = True
    valid_from: date | None = None
    valid_to: date | None = None


def item_codes(items: Sequence[str] | None) -> list[str | None]:
    """Catalogue codes (or ``SM``, the safety-manager assessment); [None] for every item."""
    if not items:
        return [None]
    if len(items) > MAX_ITEMS:
        raise FieldError(
            "items", "TOO_MANY", f"最多 {MAX_ITEMS} 个项目", f"at most {MAX_ITEMS} items"
        )
    book = catalogue(CURRENT_CATALOGUE_VERSION)
    codes: list[str | None] = []
    for raw in items:
        code = raw.strip()
        codes.append(code if code == "SM" else book.item(code, field="items").code)
    return list(dict.fromkeys(codes))


def records(
    point_id: int, items: Sequence[str | None], terms: Terms, actor: str, ctx: ServiceContext
) -> list[ExamPointAccreditation]:
    """The register rows of one act; refuses a welding item accredited without real equipment."""
    errors = []
    if terms.valid_from and terms.valid_to and terms.valid_to < terms.valid_from:
        errors.append(
            FieldError(
                "to", "SPAN_REVERSED", "认定截止日期早于起始日期", "the end is before the start"
            )
        )
    if not terms.real_equipment and any(i is None or needs_real_equipment(i) for i in items):
        errors.append(
            FieldError(
                "real_equipment",
                "REAL_EQUIPMENT_REQUIRED",
                "焊接与热切割作业的实操考试须使用实物设备：未登记实物设备的考试点不能认定该类项目",
                "welding and thermal cutting are examined on real equipment: list the other "
                "items, or record the equipment",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return [
        ExamPointAccreditation(
            exam_point_id=point_id,
            item_code=item,
            standardised=terms.standardised,
            real_equipment=terms.real_equipment,
            training_separated=terms.training_separated,
            accredited_from=terms.valid_from,
            accredited_to=terms.valid_to,
            recorded_by=actor,
            recorded_at=ctx.now(),
        )
        for item in items
    ]


def _point(uow: UnitOfWork, code: str) -> ExamPoint:
    point = uow.registry.exam_point_by_code((code or "").strip())
    if point is None:
        raise NotFound(
            "EXAM_POINT_UNKNOWN",
            f"考试点「{code}」未在平台登记",
            f"exam point {code!r} is not registered",
            field="code",
        )
    return point


def accredit(
    ctx: ServiceContext,
    *,
    code: str,
    items: Sequence[str] | None,
    terms: Terms,
    actor: str = "cli:registry",
) -> int:
    """Record an accreditation of the exam point for each item (every item when none is
    given); returns how many records were written."""
    codes = item_codes(items)
    with ctx.uow() as uow:
        point = _point(uow, code)
        rows = records(point.id, codes, terms, actor, ctx)
        uow.accreditations.add(rows)
        # The point's list of authorised items (the automatic check ``institution`` reads it)
        # follows the register: an item accredited is an item authorised.
        if point.items is not None:
            point.items = None if None in codes else sorted({*point.items, *map(str, codes)})
        uow.commit()
        return len(rows)


def withdraw(
    ctx: ServiceContext, *, code: str, items: Sequence[str] | None, last_day: object
) -> int:
    """End the open accreditations of these items (the every-item one when none is given) on
    ``last_day``; returns how many were ended. Refused when none is open."""
    day = parse_date(last_day, "to")
    codes = item_codes(items)
    with ctx.uow() as uow:
        point = _point(uow, code)
        rows = [
            r
            for r in uow.accreditations.open_for(point.id, codes)
            if r.accredited_from is None or r.accredited_from <= day
        ]
        if not rows:
            raise FieldError(
                "items",
                "NOTHING_OPEN",
                "该考试点没有可终止的有效认定",
                "the exam point has no open accreditation of these items",
            )
        for row in rows:
            row.accredited_to = day
        uow.commit()
        return len(rows)


@dataclass(frozen=True)
class Entry:
    item: str | None
    standardised: bool
    real_equipment: bool
    training_separated: bool
    valid_from: date | None
    valid_to: date | None
    recorded_by: str


def register_of(ctx: ServiceContext, code: str) -> list[Entry]:
    with ctx.uow() as uow:
        point = _point(uow, code)
        return [
            Entry(
                r.item_code,
                r.standardised,
                r.real_equipment,
                r.training_separated,
                r.accredited_from,
                r.accredited_to,
                r.recorded_by,
            )
            for r in uow.accreditations.of_points([point.id]).get(point.id, [])
        ]
