"""Certificate search for officers: by ID number, certificate number or name, in their region."""

from __future__ import annotations

from typing import Any

from opcert.services.certificates import certificate_json
from opcert.services.context import ServiceContext
from opcert.services.principals import OfficerPrincipal


def search(ctx: ServiceContext, officer: OfficerPrincipal, text: str) -> list[dict[str, Any]]:
    query = " ".join((text or "").split())
    if not query:
        return []
    with ctx.uow() as uow:
        rows = uow.certificates.search(query, officer.region_prefix[:2])
        today = ctx.today()
        return [certificate_json(row, today) for row in rows]
