"""An exam institution's past submissions: the stored results and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.clock import local_minutes
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal


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
        rows = uow.results.of_institution(institution.id, limit=limit)
        return [
            PastResult(
                r.ref,
                r.name,
                r.item_code,
                r.outcome,
                local_minutes(r.received_at),
            )
            for r in rows
        ]
