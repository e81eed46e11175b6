"""The national person record (one row per resident ID number)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from opcert.persistence.models import Person
from opcert.persistence.repositories.bulk import insert_returning_ids


@dataclass(frozen=True, slots=True)
class NewPerson:
    """A person met for the first time; their phone is not known yet (see intake filing)."""

    id_number: str
    name: str
    sex: int
    birth_on: date
    division: str
    registered_at: datetime


class PersonRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_id_numbers(self, id_numbers: Iterable[str]) -> dict[str, Person]:
        query = select(Person).where(Person.id_number.in_(list(id_numbers)))
        return {row.id_number: row for row in self.session.scalars(query)}

    def by_id_number(self, id_number: str) -> Person | None:
        return self.session.scalar(select(Person).where(Person.id_number == id_number))

    def register(self, persons: Sequence[NewPerson]) -> list[int]:
        """Insert the persons; their ids, in order."""
        rows = [
            {
                "id_number": p.id_number,
                "name": p.name,
                "sex": p.sex,
                "birth_on": p.birth_on,
                "division": p.division,
                "phone": None,
                "created_at": p.registered_at,
                "updated_at": p.registered_at,
            }
            for p in persons
        ]
        return insert_returning_ids(self.session, Person.__table__, rows)  # type: ignore[arg-type]
