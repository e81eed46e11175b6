"""Whether a holder already holds a valid certificate, as the public sees it on the day.

The recorded state is not enough: a certificate still recorded ``active`` may have expired or
lapsed (失效, an owed ORDER30 review missed), and then the holder holds no valid certificate.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import replace
from datetime import date
from typing import TypeVar

from opcert.domain.lifecycle import CertificateFacts, holds_valid_certificate, review_missed
from opcert.persistence.models import Certificate
from opcert.persistence.unit_of_work import UnitOfWork

K = TypeVar("K", bound=Hashable)


def valid_held(uow: UnitOfWork, rows: Mapping[K, Certificate], today: date) -> set[K]:
    """The keys of ``rows`` whose certificate is valid on ``today``. A review application filed
    in its window and still undecided keeps the certificate valid (Order 30 Art. 24); that is
    asked of the database only for the few certificates whose review date has passed."""
    held = set()
    for key, row in rows.items():
        facts = CertificateFacts(
            row.state,
            row.rule_set,
            row.valid_from,
            row.valid_to,
            row.review_due_on,
            row.reviewed_on,
        )
        if row.review_due_on is not None and review_missed(facts, today):
            pending = uow.lifecycle.has_pending_review(row.id, row.review_due_on)
            facts = replace(facts, review_pending=pending)
        if holds_valid_certificate(facts, today):
            held.add(key)
    return held
