"""The holder's own certificates (我的证书), after real-name login."""

from __future__ import annotations

from typing import Any

from opcert.domain.errors import Forbidden
from opcert.services.certificates import certificate_json
from opcert.services.context import ServiceContext


def my_certificates(ctx: ServiceContext, id_number: str) -> list[dict[str, Any]]:
    """Every certificate of the person, with its public status and the authority's name."""
    with ctx.uow() as uow:
        rows = uow.certificates.of_person(id_number)
        today = ctx.today()
        found = [certificate_json(row, today) for row in rows]
        names = {a.code: a.name for a in uow.registry.authorities()}
    for item in found:
        item["authority_name"] = names.get(item["authority"], item["authority"])
    return found


def require_own(ctx: ServiceContext, id_number: str, number: str) -> None:
    """A holder may only download their own certificates: the number is "T" + the ID number."""
    if number.strip().upper() != "T" + id_number:
        raise Forbidden("NOT_YOURS", "只能下载本人的证书", "you may only download your own")
