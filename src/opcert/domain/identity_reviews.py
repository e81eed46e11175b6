"""The manual identity review (人工审核) a holder asks for when the live face check fails."""

from __future__ import annotations

from enum import StrEnum

from opcert.domain.status_tables import StatusTable


class IdentityReviewStatus(StrEnum):
    """The values of ``identity_reviews.status``."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


IDENTITY_REVIEW_STATUSES: StatusTable[IdentityReviewStatus] = StatusTable(
    IdentityReviewStatus,
    ("人工身份审核申请", "identity review"),
    {
        IdentityReviewStatus.PENDING: frozenset(
            {IdentityReviewStatus.APPROVED, IdentityReviewStatus.REJECTED}
        ),
        IdentityReviewStatus.APPROVED: frozenset(),
        IdentityReviewStatus.REJECTED: frozenset(),
    },
    {
        IdentityReviewStatus.PENDING: ("待审核", "pending"),
        IdentityReviewStatus.APPROVED: ("已通过", "approved"),
        IdentityReviewStatus.REJECTED: ("已驳回", "rejected"),
    },
)
