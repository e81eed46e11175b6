"""Certificate search for officers: by ID number, certificate number or name, in their scope."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from opcert.domain.errors import FieldError
from opcert.domain.names import PersonName
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.verification.query import certificate_json


def search(ctx: ServiceContext, officer: OfficerPrincipal, text: str) -> list[dict[str, Any]]:
    """Certificates issued by an authority in the officer's division whose ID number, certificate
    number or name is ``text``: a name is compared after the one name rule (so 阿依古丽•买买提
    finds 阿依古丽·买买提), numbers as typed. Raises ``Forbidden`` for a role that may not read
    certificates."""
    officer.require(Action.READ_CERTIFICATES)
    query = " ".join((text or "").split())
    if not query:
        return []
    # The name rule sees the text as typed (a tab or an em space in it is refused there as it is
    # at intake); what is not a name (an ID or certificate number has digits) is compared as it is.
    with suppress(FieldError):
        query = PersonName.parse(text).text
    with ctx.uow() as uow:
        rows = uow.certificates.search(query, officer.authority_prefix)
        today = ctx.today()
        return [certificate_json(row, today) for row in rows]
