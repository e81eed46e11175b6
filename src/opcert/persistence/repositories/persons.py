"""The national person record (one row per resident ID number)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from opcert.persistence.models import Person
from opcert.persistence.repositories.bulk import insert_records_returning_ids


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
        return insert_records_returning_ids(self.session, _TABLE, _COLUMNS, persons, _values)


_TABLE = cast(Table, Person.__table__)
_COLUMNS = ("id_number", "name", "sex", "birth_on", "division", "phone", "created_at", "updated_at")


def _values(p: NewPerson) -> tuple[object, ...]:
    # No phone at registration: the holder's login channel comes only from a verified change.
    at = p.registered_at
    return (p.id_number, p.name, p.sex, p.birth_on, p.division, None, at, at)
