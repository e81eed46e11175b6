"""Certificate applications: filed by intake, read and decided by officers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from opcert.persistence.models import Application
from opcert.persistence.repositories.bulk import insert_records


@dataclass(slots=True)
class NewApplication:
    """One application to file. Intake fills ``result_id``, ``person_id`` and, for one issued
    at once, ``certificate_id`` before filing."""

    id: str
    id_number: str
    name: str
    typ: str
    item_code: str
    item_name: str | None
    catalogue_version: str
    rule_set: str
    authority_code: str
    region: str
    institution_id: int
    exam_point_id: int
    status: str
    checks: list[dict[str, Any]]
    review_reasons: list[str]
    commitment: dict[str, Any]
    history: list[dict[str, Any]]
    filed_at: datetime
    target_on: date
    due_on: date
    decided_at: datetime | None
    decided_by: str | None
    result_id: int = 0
    person_id: int = 0
    decision_reason: str | None = None
    certificate_id: int | None = None


_TABLE = cast(Table, Application.__table__)
_COLUMNS = tuple(f.name for f in fields(NewApplication))
_VALUES = attrgetter(*_COLUMNS)


class ApplicationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def file(self, applications: Sequence[NewApplication]) -> None:
        """Insert the applications in one statement (their ids are UUIDs chosen by intake)."""
        insert_records(self.session, _TABLE, _COLUMNS, applications, _VALUES)

    def get(self, application_id: str, *, lock: bool = False) -> Application | None:
        query = select(Application).where(Application.id == application_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def in_scope(
        self,
        status: str | None,
        region_prefix: str,
        *,
        authority_prefix: str = "",
        limit: int = 200,
        offset: int = 0,
    ) -> Sequence[Application]:
        """Applications whose exam-point region starts with ``region_prefix`` (the indexed
        filter) and whose authority code starts with ``authority_prefix``, the nearest deadline
        first."""
        query = select(Application)
        if status:
            query = query.where(Application.status == status)
        if region_prefix:
            query = query.where(Application.region.startswith(region_prefix, autoescape=True))
        if authority_prefix:
            query = query.where(
                Application.authority_code.startswith(authority_prefix, autoescape=True)
            )
        query = query.order_by(Application.due_on, Application.filed_at, Application.id)
        query = query.limit(limit).offset(offset)
        return self.session.scalars(query).all()
