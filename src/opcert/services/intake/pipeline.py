"""Result intake: exam results in, applications filed on the candidates' behalf, certificates out.

A batch is handled in one transaction: validate every row, look up what the checks need with one
query per kind, score, check, approve and issue in bulk, then write. Rows are independent: an
invalid row is rejected and stores nothing, the others go on. If a concurrent request stored one
of the same refs first, the whole batch is re-read and replayed, so each row is written whole or
not at all and a ref never gets two outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from opcert.domain.accreditation import Accreditation
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.domain.errors import Conflict, DomainError, FieldError
from opcert.persistence.unit_of_work import ConcurrentWriteConflict, UnitOfWork
from opcert.services.intake.filing import file_batch
from opcert.services.intake.validation import InvalidRow, PointInfo, RowValidator, ValidRow
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal


class BatchTooLarge(DomainError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            "BATCH_TOO_LARGE",
            f"一次最多提交 {limit} 条成绩，本次为 {size} 条，请分批提交",
            f"at most {limit} results per request; this one has {size}: split the batch",
            field="results",
        )
        self.limit = limit


@dataclass
class RowOutcome:
    ref: str | None
    outcome: str
    errors: list[dict[str, str]] = field(default_factory=list)
    application_id: str | None = None
    certificate_no: str | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)
    next_step: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ref": self.ref, "outcome": self.outcome, "errors": self.errors}
        if self.application_id:
            body["application_id"] = self.application_id
        if self.certificate_no:
            body["certificate_no"] = self.certificate_no
        if self.reasons:
            body["reasons"] = self.reasons
        if self.next_step:
            body["next_step"] = self.next_step
        return body


def submit_results(
    ctx: ServiceContext, principal: InstitutionPrincipal, rows: Sequence[object]
) -> list[RowOutcome]:
    """Take a batch of results from an exam institution; one outcome per row, in order."""
    if len(rows) > ctx.batch_limit:
        raise BatchTooLarge(len(rows), ctx.batch_limit)
    for attempt in range(3):
        try:
            with ctx.uow() as uow:
                uow.begin_write()
                outcomes = _submit(uow, ctx, principal, rows)
                uow.commit()
                return outcomes
        except ConcurrentWriteConflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _submit(
    uow: UnitOfWork, ctx: ServiceContext, principal: InstitutionPrincipal, rows: Sequence[object]
) -> list[RowOutcome]:
    validator = RowValidator(
        catalogue(CURRENT_CATALOGUE_VERSION), ctx.today(), principal.id, _points(uow, rows)
    )
    checked = [validator.validate(index, row) for index, row in enumerate(rows)]
    valid = [row for row in checked if isinstance(row, ValidRow)]
    outcomes: list[RowOutcome | None] = [None] * len(rows)
    for row in checked:
        if isinstance(row, InvalidRow):
            outcomes[row.index] = RowOutcome(
                row.ref, "rejected", [_field_error(e) for e in row.errors]
            )
    fresh, twins = _replay_stored(uow, principal, valid, outcomes)
    for row, outcome in zip(fresh, file_batch(uow, ctx, principal, fresh), strict=True):
        outcomes[row.index] = RowOutcome(**outcome)
    for twin, first in twins:
        outcomes[twin.index] = outcomes[first.index]
    return [outcome for outcome in outcomes if outcome is not None]


def _points(uow: UnitOfWork, rows: Sequence[object]) -> dict[str, PointInfo]:
    codes = {
        str(r.get("exam_point")).strip()
        for r in rows
        if isinstance(r, dict) and r.get("exam_point")
    }
    points = uow.registry.exam_points_by_codes(codes)
    register = uow.accreditations.of_points(p.id for p in points.values())
    return {
        code: PointInfo(
            p.id,
            p.code,
            p.institution_id,
            p.region,
            tuple(p.items) if p.items is not None else None,
            p.active,
            tuple(
                Accreditation(
                    a.item_code,
                    a.standardised,
                    a.real_equipment,
                    a.training_separated,
                    a.accredited_from,
                    a.accredited_to,
                )
                for a in register.get(p.id, [])
            ),
            p.name,
        )
        for code, p in points.items()
    }


def _replay_stored(
    uow: UnitOfWork,
    principal: InstitutionPrincipal,
    valid: list[ValidRow],
    outcomes: list[RowOutcome | None],
) -> tuple[list[ValidRow], list[tuple[ValidRow, ValidRow]]]:
    """Fill in outcomes of refs already stored; refuse the batch if one came back changed.

    Returns the rows to file and the in-batch repeats of a ref with the row they repeat.
    """
    stored = uow.results.stored(principal.id, {row.ref for row in valid})
    seen: dict[str, ValidRow] = {}
    fresh: list[ValidRow] = []
    conflicts: list[ValidRow] = []
    twins: list[tuple[ValidRow, ValidRow]] = []
    for row in valid:
        earlier = stored.get(row.ref)
        twin = seen.get(row.ref)
        if earlier is not None:
            if earlier.content_hash != row.content_hash:
                conflicts.append(row)
            else:
                outcomes[row.index] = RowOutcome(**earlier.response)
        elif twin is not None:
            if twin.content_hash != row.content_hash:
                conflicts.append(row)
            else:
                twins.append((row, twin))
        else:
            seen[row.ref] = row
            fresh.append(row)
    if conflicts:
        raise _conflict(conflicts)
    return fresh, twins


def _conflict(rows: list[ValidRow]) -> Conflict:
    refs = ", ".join(row.ref for row in rows[:5])
    error = Conflict(
        "REF_CONFLICT",
        f"成绩编号 {refs} 已用于内容不同的成绩；同一编号只能对应同一成绩，本批未作任何保存",
        f"ref {refs} was already used for different content; nothing in this batch was stored",
        field="ref",
    )
    error.errors = [  # type: ignore[attr-defined]
        FieldError(
            f"results[{row.index}].ref",
            "REF_CONFLICT",
            f"编号 {row.ref} 已对应另一份成绩",
            f"ref {row.ref} already names other content",
        )
        for row in rows
    ]
    return error


def _field_error(error: FieldError) -> dict[str, str]:
    return {
        "field": error.field or "",
        "code": error.code,
        "message": error.message_zh,
        "message_en": error.message_en,
    }
