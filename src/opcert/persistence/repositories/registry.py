"""Authorities, institutions, exam points, API keys, officers and their tokens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    ApiKey,
    Authority,
    Clue,
    ExamPoint,
    IdentityReview,
    Institution,
    Officer,
    OfficerToken,
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

    def exam_points_of(self, institution_id: int) -> Sequence[ExamPoint]:
        query = select(ExamPoint).where(ExamPoint.institution_id == institution_id)
        return self.session.scalars(query.order_by(ExamPoint.code)).all()

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

    def officer_token(self, token_hash: str, now: datetime) -> OfficerToken | None:
        query = select(OfficerToken).where(
            OfficerToken.token_hash == token_hash, OfficerToken.expires_at > now
        )
        return self.session.scalar(query)

    def purge_tokens(self, now: datetime) -> None:
        self.session.execute(delete(OfficerToken).where(OfficerToken.expires_at <= now))

    # clues and identity reviews (filed from the web pages, read by officers)
    def clues(self, region_prefix: str, limit: int = 200) -> Sequence[Clue]:
        """Clues whose region starts with ``region_prefix``; an empty prefix (national) reads
        every clue, those without a region included."""
        query = select(Clue)
        if region_prefix:
            query = query.where(Clue.region.startswith(region_prefix, autoescape=True))
        return self.session.scalars(query.order_by(Clue.id.desc()).limit(limit)).all()

    def identity_review(self, review_id: int) -> IdentityReview | None:
        return self.session.get(IdentityReview, review_id)

    def identity_reviews(
        self, authority_prefix: str, status: str | None = "pending", limit: int = 200
    ) -> Sequence[IdentityReview]:
        """Reviews whose authority code starts with ``authority_prefix`` (``CN-4404``)."""
        query = select(IdentityReview)
        if status:
            query = query.where(IdentityReview.status == status)
        if authority_prefix:
            query = query.where(
                IdentityReview.authority_code.startswith(authority_prefix, autoescape=True)
            )
        return self.session.scalars(query.order_by(IdentityReview.id).limit(limit)).all()
