"""Reviews, recorded acts, cancellations, legacy cards, and the lapse query of status lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    Exists,
    Integer,
    Select,
    any_,
    bindparam,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    Cancellation,
    Certificate,
    CertificateEvent,
    CredentialVersion,
    LegacyCard,
    RenewalApplication,
    ReviewRow,
)
from opcert.persistence.models.certificates import LAPSE_CANDIDATES

LAPSE_CANDIDATES_SQL = " AND ".join(
    f"certificates.{term}" for term in LAPSE_CANDIDATES.split(" AND ")
)


_PROBE_BATCH = 5_000  # version ids per probe query (SQLite allows 32,766 parameters)


def review_pending() -> Exists:
    """Correlated on ``certificates``: a review application is pending for the review the
    certificate owes now."""
    return (
        exists()
        .where(
            ReviewRow.certificate_id == Certificate.id,
            ReviewRow.status == "pending",
            ReviewRow.due_on == Certificate.review_due_on,
        )
        .correlate(Certificate)
    )


def _lapse_candidates(version_ids: list[int], cutoff: date, postgres: bool) -> Select[Any]:
    """Which of these versions are the current one of a certificate that lapses before
    ``cutoff``. The partial index's own predicate is repeated verbatim so that the planners may
    use it; the bound review date is wrapped in ``coalesce`` so that the plain index on it (for
    reminders) is never taken."""
    # PostgreSQL takes the batch as one array parameter: expanding 5,000 bind parameters costs
    # the client a hundred times what the server spends on the probes.
    wanted = (
        Certificate.current_version_id == any_(bindparam("ids", version_ids, ARRAY(Integer)))
        if postgres
        else Certificate.current_version_id.in_(version_ids)
    )
    return select(Certificate.current_version_id).where(
        wanted,
        text(LAPSE_CANDIDATES_SQL),
        func.coalesce(Certificate.review_due_on, cutoff) < cutoff,
        ~review_pending(),
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

        Two steps, so that no planner can drive the work from the nation's overdue certificates
        (PostgreSQL hashed all 236,000 of them for every list at scale 0.1): the list's in-force
        entries from the covering index ``ix_credential_versions_list_entries`` (at most
        ``ENTRIES_PER_LIST``), then those version ids probed in batches in the small partial
        index ``ix_certificates_lapse_candidates`` (active certificates whose review fell due
        before 2026-06-01: the cutoff never passes that date).
        """
        in_force = select(CredentialVersion.id, CredentialVersion.list_index).where(
            CredentialVersion.list_id == list_id, CredentialVersion.status_value == 0
        )
        index_of = {int(v): int(i) for v, i in self.session.execute(in_force)}
        versions = list(index_of)
        postgres = self.session.get_bind().dialect.name == "postgresql"
        lapsed: list[int] = []
        for start in range(0, len(versions), _PROBE_BATCH):
            batch = versions[start : start + _PROBE_BATCH]
            found = self.session.scalars(_lapse_candidates(batch, cutoff, postgres))
            lapsed += [index_of[int(v)] for v in found]
        return lapsed

    # renewal applications --------------------------------------------------------------------
    def pending_renewal(self, certificate_id: int) -> RenewalApplication | None:
        query = select(RenewalApplication).where(
            RenewalApplication.certificate_id == certificate_id,
            RenewalApplication.status == "pending",
        )
        return self.session.scalar(query.order_by(RenewalApplication.id.desc()).limit(1))

    def renewal(self, application_id: int) -> RenewalApplication | None:
        return self.session.get(RenewalApplication, application_id)

    def pending_renewals(
        self, authority_prefix: str, limit: int = 200
    ) -> Sequence[tuple[RenewalApplication, Certificate]]:
        """Pending applications filed with an authority whose code starts with the prefix,
        oldest first, each with its certificate."""
        query = (
            select(RenewalApplication, Certificate)
            .join(Certificate, Certificate.id == RenewalApplication.certificate_id)
            .where(
                RenewalApplication.status == "pending",
                RenewalApplication.authority_code.startswith(authority_prefix, autoescape=True),
            )
            .order_by(RenewalApplication.id)
            .limit(limit)
        )
        return [(row, cert) for row, cert in self.session.execute(query).all()]

    # reviews ---------------------------------------------------------------------------------
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
