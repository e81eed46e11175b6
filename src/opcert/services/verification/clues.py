"""Clues about suspected fake certificates (假证线索): filed by anyone, read by officers."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.clock import local_minutes
from opcert.domain.errors import FieldError, ValidationFailed
from opcert.domain.identity import certificate_number_id, normalise_id_text
from opcert.domain.names import PersonName
from opcert.persistence.repositories.clues import NewClue
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.numbering import authorities_for
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal

MAX_DETAILS = 2000


@dataclass(frozen=True)
class ClueView:
    id: int
    id_number: str | None
    name: str | None
    where_seen: str | None
    details: str
    contact: str | None
    status: str
    created_at: str


def report_fake(
    ctx: ServiceContext,
    *,
    details: str,
    id_number: str | None = None,
    name: str | None = None,
    where_seen: str | None = None,
    contact: str | None = None,
) -> int:
    """File a clue; only the description is required. Its region is the division of the
    authority that issues for the reported ID number's division (see ``_region``)."""
    text = (details or "").strip()
    errors = []
    if not text:
        errors.append(
            FieldError("details", "REQUIRED", "请描述可疑证书的情况", "describe the suspected fake")
        )
    elif len(text) > MAX_DETAILS:
        errors.append(
            FieldError(
                "details", "TOO_LONG", f"不能超过 {MAX_DETAILS} 字", f"at most {MAX_DETAILS} chars"
            )
        )
    person_name = None
    if name and name.strip():
        try:
            person_name = PersonName.parse(name, "name").text
        except FieldError as error:
            errors.append(error)
    if errors:
        raise ValidationFailed(errors)
    typed = normalise_id_text(id_number or "")  # spaces, hyphens; a T number is its ID
    number = (certificate_number_id(typed) or typed)[:18] or None
    with ctx.uow() as uow:
        clue_id = uow.clues.file(
            NewClue(
                details=text,
                id_number=number,
                name=person_name,
                region=_region(uow, number),
                where_seen=(where_seen or "").strip()[:300] or None,
                contact=(contact or "").strip()[:100] or None,
                filed_at=ctx.now(),
            )
        )
        uow.commit()
        return clue_id


def _region(uow: UnitOfWork, number: str | None) -> str | None:
    """The division of the authority that issues for the division in the ID number (its first
    six digits: the holder's registered division): the city bureau where one is delegated, else
    the province, as an exam point maps to its authority. None when the number names no known
    division; such clues are read by national officers only."""
    division = (number or "")[:6]
    if len(division) != 6 or not division.isdigit():
        return None
    authority = authorities_for(uow, {division}).get(division)
    return authority.division if authority else None


def clues_for(ctx: ServiceContext, officer: OfficerPrincipal) -> list[ClueView]:
    """Clues whose region lies in the officer's division; raises ``Forbidden`` for a role that
    may not read clues (they hold reporters' contacts)."""
    officer.require(Action.READ_CLUES)
    with ctx.uow() as uow:
        rows = uow.clues.in_region(officer.region_prefix)
        return [
            ClueView(
                r.id,
                r.id_number,
                r.name,
                r.where_seen,
                r.details,
                r.contact,
                r.status,
                local_minutes(r.created_at),
            )
            for r in rows
        ]
