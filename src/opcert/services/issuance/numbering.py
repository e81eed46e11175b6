"""Which authority issues for an exam point's region (its issuer code is
:func:`opcert.domain.certificates.issuer_code`)."""

from __future__ import annotations

from opcert.persistence.models import Authority
from opcert.persistence.unit_of_work import UnitOfWork


def candidate_divisions(region: str) -> list[str]:
    """The delegated city bureau first, then the provincial department (Order 30 Art 7)."""
    return [region[:4] + "00", region[:2] + "0000"]


def authorities_for(uow: UnitOfWork, regions: set[str]) -> dict[str, Authority]:
    """Map each exam-point region to the authority that issues for it (absent when none)."""
    wanted = {division for region in regions for division in candidate_divisions(region)}
    known = uow.registry.authority_by_division(wanted)
    found: dict[str, Authority] = {}
    for region in regions:
        for division in candidate_divisions(region):
            if division in known:
                found[region] = known[division]
                break
    return found
