"""An exam institution's past submissions: the stored results and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.services.context import ServiceContext
from opcert.services.principals import InstitutionPrincipal


@dataclass(frozen=True)
class PastResult:
    ref: str
    name: str
    item: str
    outcome: str
    received_at: str


def past_results(
    ctx: ServiceContext, institution: InstitutionPrincipal, limit: int = 100
) -> list[PastResult]:
    with ctx.uow() as uow:
        rows = uow.intake.results_of_institution(institution.id, limit=limit)
        return [
            PastResult(
                r.ref,
                r.name,
                r.item_code,
                r.outcome,
                r.received_at.isoformat(timespec="minutes"),
            )
            for r in rows
        ]
