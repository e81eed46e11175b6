"""Reviews, recorded acts, cancellations, legacy cards, and the lapse query of status lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    Cancellation,
    Certificate,
    CertificateEvent,
    CredentialVersion,
    LegacyCard,
    ReviewRow,
)


class LifecycleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    # the lapse of a missed review, for status lists -----------------------------------------
    def lapsed_indexes(self, list_id: str, cutoff: date) -> list[int]:
        """Entries of ``list_id`` whose current, in-force version belongs to an active certificate
        with a review owed before ``cutoff`` and no review application pending for it.

        One query driven by the list: its versions through ``(list_id, status_value)`` (at most
        ``ENTRIES_PER_LIST``), then each certificate by primary key. The review date is wrapped
        in ``coalesce`` on purpose: an index on it would walk every overdue certificate of the
        nation (hundreds of thousands of card-era ORDER30 records) for each list built.
        """
        pending = exists().where(
            ReviewRow.certificate_id == Certificate.id,
            ReviewRow.status == "pending",
            ReviewRow.due_on == Certificate.review_due_on,
        )
        query = (
            select(CredentialVersion.list_index)
            .select_from(CredentialVersion)
            .join(
                Certificate,
                and_(
                    Certificate.id == CredentialVersion.certificate_id,
                    Certificate.current_version_id == CredentialVersion.id,
                ),
            )
            .where(
                CredentialVersion.list_id == list_id,
                CredentialVersion.status_value == 0,
                func.coalesce(Certificate.review_due_on, cutoff) < cutoff,
                Certificate.state == "active",
                ~pending,
            )
        )
        return [int(index) for index in self.session.scalars(query)]

    # reviews ---------------------------------------------------------------------------------
    def reviews_of(self, certificate_id: int) -> Sequence[ReviewRow]:
        query = select(ReviewRow).where(ReviewRow.certificate_id == certificate_id)
        return self.session.scalars(query.order_by(ReviewRow.id)).all()

    def pending_review(self, certificate_id: int) -> ReviewRow | None:
        query = select(ReviewRow).where(
            ReviewRow.certificate_id == certificate_id, ReviewRow.status == "pending"
        )
        return self.session.scalar(query.order_by(ReviewRow.id.desc()).limit(1))

    def has_pending_review(self, certificate_id: int, due: date) -> bool:
        query = select(ReviewRow.id).where(
            ReviewRow.certificate_id == certificate_id,
            ReviewRow.status == "pending",
            ReviewRow.due_on == due,
        )
        return self.session.scalar(query.limit(1)) is not None

    def failed_reviews(self, certificate_id: int, due: date) -> int:
        query = select(func.count(ReviewRow.id)).where(
            ReviewRow.certificate_id == certificate_id,
            ReviewRow.due_on == due,
            ReviewRow.status.in_(["retrain", "failed"]),
        )
        return int(self.session.scalar(query) or 0)

    # events ----------------------------------------------------------------------------------
    def events_of(self, certificate_id: int, kind: str | None = None) -> Sequence[CertificateEvent]:
        query = select(CertificateEvent).where(CertificateEvent.certificate_id == certificate_id)
        if kind is not None:
            query = query.where(CertificateEvent.kind == kind)
        return self.session.scalars(query.order_by(CertificateEvent.id)).all()

    # cancellations ---------------------------------------------------------------------------
    def cancellations(
        self, offset: int, limit: int
    ) -> tuple[int, Sequence[tuple[Cancellation, Certificate]]]:
        """Total count and one page, newest first."""
        total = int(self.session.scalar(select(func.count(Cancellation.id))) or 0)
        query = (
            select(Cancellation, Certificate)
            .join(Certificate, Certificate.id == Cancellation.certificate_id)
            .order_by(Cancellation.cancelled_on.desc(), Cancellation.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return total, [(c, r) for c, r in self.session.execute(query).tuples()]

    # legacy cards ----------------------------------------------------------------------------
    def legacy_card(self, certificate_id: int) -> LegacyCard | None:
        return self.session.scalar(
            select(LegacyCard).where(LegacyCard.certificate_id == certificate_id)
        )

    def legacy_ids(self, certificate_ids: Sequence[int]) -> set[int]:
        """Which of these certificates are card-era records not yet converted."""
        if not certificate_ids:
            return set()
        query = select(LegacyCard.certificate_id).where(
            and_(LegacyCard.certificate_id.in_(certificate_ids), LegacyCard.converted_at.is_(None))
        )
        return set(self.session.scalars(query))
