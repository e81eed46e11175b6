"""Holders' requests for manual identity review, each in one authority's queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from opcert.persistence.models import IdentityReview


@dataclass(frozen=True, slots=True)
class NewIdentityReview:
    """A request as filed: the photo's type is the one read from its content."""

    id_number: str
    name: str
    authority_code: str
    photo: bytes
    photo_type: str
    filed_at: datetime


class IdentityReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def file(self, review: NewIdentityReview) -> int:
        """Store a pending request; its id."""
        row = IdentityReview(
            id_number=review.id_number,
            name=review.name,
            authority_code=review.authority_code,
            photo_type=review.photo_type,
            photo=review.photo,
            status="pending",
            created_at=review.filed_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, review_id: int) -> IdentityReview | None:
        return self.session.get(IdentityReview, review_id)

    def in_scope(
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
