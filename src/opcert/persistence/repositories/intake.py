"""Persons, exam results and applications."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from opcert.persistence.models import Application, ExamResult, Person
from opcert.persistence.repositories.bulk import bulk_insert, reserve_ids


class IntakeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stored_results(self, institution_id: int, refs: Iterable[str]) -> dict[str, ExamResult]:
        query = select(ExamResult).where(
            ExamResult.institution_id == institution_id, ExamResult.ref.in_(list(refs))
        )
        return {row.ref: row for row in self.session.scalars(query)}

    def persons(self, id_numbers: Iterable[str]) -> dict[str, Person]:
        query = select(Person).where(Person.id_number.in_(list(id_numbers)))
        return {row.id_number: row for row in self.session.scalars(query)}

    def person(self, id_number: str) -> Person | None:
        return self.session.scalar(select(Person).where(Person.id_number == id_number))

    def reserve_ids(self, model: type, count: int) -> list[int]:
        """Ids for ``count`` new rows of ``model``, to be inserted in this transaction.

        PostgreSQL draws them from the table's sequence. SQLite continues after ``max(id)``: the
        unit of work holds the write lock (``begin_write``), so nobody else can take them; a
        second reservation for the same table must follow the insert of the first.
        """
        return reserve_ids(self.session, model.__table__, count)  # type: ignore[attr-defined]

    def insert_returning_ids(self, model: type, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert many rows with reserved ids; return the ids in input order.

        Core statements and a plain executemany (pipelined on psycopg 3): a multi-row
        ``INSERT ... RETURNING`` costs psycopg more to parse than the server to run, and SQLite
        runs an order-preserving RETURNING row by row (decision 0003).
        """
        ids = self.reserve_ids(model, len(rows))
        self.insert_many(model, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids

    def insert_many(self, model: type, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows that all carry the same keys (see ``bulk_insert``)."""
        bulk_insert(self.session, model.__table__, rows)  # type: ignore[attr-defined]

    def update_many(self, model: type, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk update by ``id``: each dict holds the id and the same set of new values."""
        if not rows:
            return
        table = model.__table__  # type: ignore[attr-defined]
        keys = [key for key in rows[0] if key != "id"]
        query = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({key: bindparam(f"_v_{key}") for key in keys})
        )
        params = [{"_id": row["id"], **{f"_v_{key}": row[key] for key in keys}} for row in rows]
        self.session.execute(query, params)

    def failed_attempts(
        self, pairs: Iterable[tuple[str, str]], since: date, pass_mark: float
    ) -> dict[tuple[str, str], tuple[int, int]]:
        """Failed theory and practical attempts per (id_number, item) since a date."""
        wanted = set(pairs)
        if not wanted:
            return {}
        theory_failed = case((ExamResult.theory_score < pass_mark, 1), else_=0)
        practical_failed = case(
            (
                and_(
                    ExamResult.theory_score >= pass_mark,
                    or_(
                        ExamResult.practical_score.is_(None), ExamResult.practical_score < pass_mark
                    ),
                ),
                1,
            ),
            else_=0,
        )
        query = (
            select(
                ExamResult.id_number,
                ExamResult.item_code,
                func.sum(theory_failed),
                func.sum(practical_failed),
            )
            .where(
                ExamResult.id_number.in_(sorted({number for number, _ in wanted})),
                ExamResult.passed.is_(False),
                ExamResult.exam_on >= since,
            )
            .group_by(ExamResult.id_number, ExamResult.item_code)
        )
        return {
            (r[0], r[1]): (int(r[2] or 0), int(r[3] or 0))
            for r in self.session.execute(query)
            if (r[0], r[1]) in wanted
        }

    # applications
    def application(self, application_id: str, *, lock: bool = False) -> Application | None:
        query = select(Application).where(Application.id == application_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def applications(
        self,
        status: str | None,
        region_prefix: str,
        *,
        authority_prefix: str = "",
        limit: int = 200,
        offset: int = 0,
    ) -> Sequence[Application]:
        """Applications whose exam-point region starts with ``region_prefix`` (the indexed
        filter) and whose authority code starts with ``authority_prefix``."""
        query = select(Application)
        if status:
            query = query.where(Application.status == status)
        if region_prefix:
            query = query.where(Application.region.startswith(region_prefix, autoescape=True))
        if authority_prefix:
            query = query.where(
                Application.authority_code.startswith(authority_prefix, autoescape=True)
            )
        query = query.order_by(Application.due_on, Application.filed_at).limit(limit).offset(offset)
        return self.session.scalars(query).all()

    def result(self, result_id: int) -> ExamResult | None:
        return self.session.get(ExamResult, result_id)

    def results_of_institution(self, institution_id: int, limit: int = 100) -> Sequence[ExamResult]:
        query = (
            select(ExamResult)
            .where(ExamResult.institution_id == institution_id)
            .order_by(ExamResult.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def count_by_status(self) -> dict[str, int]:
        query = select(Application.status, func.count()).group_by(Application.status)
        return {row[0]: int(row[1]) for row in self.session.execute(query)}
