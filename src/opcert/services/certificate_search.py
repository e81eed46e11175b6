"""Certificate search for officers: by ID number, certificate number or name, in their scope."""

from __future__ import annotations

from typing import Any

from opcert.services.certificates import certificate_json
from opcert.services.context import ServiceContext
from opcert.services.principals import Action, OfficerPrincipal


def search(ctx: ServiceContext, officer: OfficerPrincipal, text: str) -> list[dict[str, Any]]:
    """Certificates issued by an authority in the officer's division that match ``text``;
    raises ``Forbidden`` for a role that may not read certificates."""
    officer.require(Action.READ_CERTIFICATES)
    query = " ".join((text or "").split())
    if not query:
        return []
    with ctx.uow() as uow:
        rows = uow.certificates.search(query, officer.authority_prefix)
        today = ctx.today()
        return [certificate_json(row, today) for row in rows]
