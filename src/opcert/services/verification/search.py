"""Certificate search for officers: by ID number, certificate number or the start of a name
(李, 李四, 阿依古丽), in their region, a page at a time."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from opcert.domain.errors import FieldError
from opcert.domain.identity import certificate_number_id, has_id_shape, normalise_id_text
from opcert.domain.names import PersonName
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.verification.query import certificate_json

PAGE_SIZE = 20
MAX_PAGE = 10_000


@dataclass(frozen=True)
class SearchPage:
    certificates: list[dict[str, Any]]
    page: int
    has_next: bool


def _query(text: str) -> str:
    # An ID or certificate number typed with spaces, hyphens or full-width digits reads as the
    # number itself (the same rule as the public query and the holder login).
    number = normalise_id_text(text or "")
    if has_id_shape(number) or certificate_number_id(number) is not None:
        return number
    query = " ".join((text or "").split())
    # The name rule sees the text as typed (阿依古丽•买买提 and 阿依古丽.买买提 become
    # 阿依古丽·买买提); what is not a whole name (a number, a lone surname) is compared as it is.
    with suppress(FieldError):
        query = PersonName.parse(query).text
    return query


def search_page(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    text: str,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> SearchPage:
    """Certificates issued by an authority in the officer's division whose ID number or
    certificate number is ``text`` or whose holder's name starts with it, newest first. Raises
    ``Forbidden`` for a role that may not read certificates."""
    officer.require(Action.READ_CERTIFICATES)
    query = _query(text)
    page = min(max(1, page), MAX_PAGE)
    if not query:
        return SearchPage([], page, False)
    with ctx.uow() as uow:
        rows = uow.certificates.search(
            query, officer.authority_prefix, limit=per_page + 1, offset=(page - 1) * per_page
        )
        today = ctx.today()
        names = {a.code: a.name for a in uow.registry.authorities()} if rows else {}
        found = [
            {**certificate_json(row, today), "authority_name": names.get(row.authority_code)}
            for row in rows[:per_page]
        ]
    return SearchPage(found, page, len(rows) > per_page)


def search(ctx: ServiceContext, officer: OfficerPrincipal, text: str) -> list[dict[str, Any]]:
    """The first page of :func:`search_page`."""
    return search_page(ctx, officer, text).certificates
