"""Authorities, institutions, their API keys and web users, exam points, officers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    ApiKey,
    Authority,
    ExamPoint,
    Institution,
    InstitutionUser,
    Officer,
)


class RegistryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    # authorities
    def authority(self, code: str) -> Authority | None:
        return self.session.get(Authority, code)

    def lock_authority(self, code: str) -> None:
        """Row-lock an authority (PostgreSQL) so work per issuer, like opening a status list,
        happens one transaction at a time."""
        self.session.execute(select(Authority.code).where(Authority.code == code).with_for_update())

    def authorities(self) -> Sequence[Authority]:
        return self.session.scalars(select(Authority).order_by(Authority.code)).all()

    def authority_by_division(self, divisions: Iterable[str]) -> dict[str, Authority]:
        rows = self.session.scalars(
            select(Authority).where(Authority.division.in_(list(divisions)))
        )
        return {row.division: row for row in rows}

    # institutions and exam points
    def institution(self, institution_id: int) -> Institution | None:
        return self.session.get(Institution, institution_id)

    def institution_by_code(self, code: str) -> Institution | None:
        return self.session.scalar(select(Institution).where(Institution.code == code))

    def institutions_by_codes(self, codes: Iterable[str]) -> dict[str, Institution]:
        rows = self.session.scalars(select(Institution).where(Institution.code.in_(list(codes))))
        return {row.code: row for row in rows}

    def institutions(self, kind: str | None = None) -> Sequence[Institution]:
        query = select(Institution).order_by(Institution.region, Institution.code)
        if kind:
            query = query.where(Institution.kind == kind)
        return self.session.scalars(query).all()

    def exam_point_by_code(self, code: str) -> ExamPoint | None:
        return self.session.scalar(select(ExamPoint).where(ExamPoint.code == code))

    def exam_points_by_codes(self, codes: Iterable[str]) -> dict[str, ExamPoint]:
        rows = self.session.scalars(select(ExamPoint).where(ExamPoint.code.in_(list(codes))))
        return {row.code: row for row in rows}

    def all_exam_points(self) -> Sequence[ExamPoint]:
        return self.session.scalars(select(ExamPoint).order_by(ExamPoint.code)).all()

    # API keys
    def api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        query = select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        return self.session.scalar(query)

    # officers
    def officer(self, officer_id: int) -> Officer | None:
        return self.session.get(Officer, officer_id)

    def officer_by_username(self, username: str) -> Officer | None:
        return self.session.scalar(select(Officer).where(Officer.username == username))

    # institution web users
    def institution_user(self, user_id: int) -> InstitutionUser | None:
        return self.session.get(InstitutionUser, user_id)

    def institution_user_by_username(self, username: str) -> InstitutionUser | None:
        query = select(InstitutionUser).where(InstitutionUser.username == username)
        return self.session.scalar(query)
