"""Clues about suspected fake certificates: filed by anyone, read by officers of the region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from opcert.persistence.models import Clue


@dataclass(frozen=True, slots=True)
class NewClue:
    """A clue as filed; ``region`` None sends it to national officers only."""

    details: str
    id_number: str | None
    name: str | None
    region: str | None
    where_seen: str | None
    contact: str | None
    filed_at: datetime


class ClueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def file(self, clue: NewClue) -> int:
        """Store an open clue; its id."""
        row = Clue(
            id_number=clue.id_number,
            name=clue.name,
            region=clue.region,
            where_seen=clue.where_seen,
            details=clue.details,
            contact=clue.contact,
            status="open",
            created_at=clue.filed_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def in_region(self, region_prefix: str, limit: int = 200) -> Sequence[Clue]:
        """Clues whose region starts with ``region_prefix``, newest first; an empty prefix
        (national) reads every clue, those without a region included."""
        query = select(Clue)
        if region_prefix:
            query = query.where(Clue.region.startswith(region_prefix, autoescape=True))
        return self.session.scalars(query.order_by(Clue.id.desc()).limit(limit)).all()
