"""What a certificate's status is on a given day, computed from its dates and recorded acts.

No nightly job: expiry and lapse follow from the dates and the rule set in force, so a query on any
day (or under a fake clock) gives the true answer.

Invariant kept by the services: ``review_due`` is the next review (复审) still owed. A passed
review moves it to the following due date (or clears it when that date is not before the end of
validity), so a review is missed exactly when the owed due date has passed. Under MEM Order 19 a
review falling due on or after 2026-06-01 is not needed at all; one that fell due before and was
missed lapses the certificate (失效) for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opcert.domain.certificate_states import (
    RECORDED_LOOKS,
    STATUS_CODES,
    CertificateState,
)
from opcert.domain.certificate_states import (
    PublicStatus as PublicStatus,  # re-exported: it lives beside its looks
)
from opcert.domain.certificates import StatusCode
from opcert.domain.rules import SWITCH_DATE

# What each recorded state other than active shows, whatever the dates say.
RECORDED_STATES: dict[str, PublicStatus] = {
    state: shown for state, shown in RECORDED_LOOKS.items() if state != CertificateState.ACTIVE
}

REVIEW_NOT_NEEDED = ("无需复审（应急管理部令第19号）", "no review needed (MEM Order 19)")


@dataclass(frozen=True)
class CertificateFacts:
    state: str
    rule_set: str
    valid_from: date
    valid_to: date
    review_due: date | None
    reviewed_on: date | None
    # An application for the owed review was filed in its window and awaits a decision: the
    # certificate does not lapse while the authority decides (Order 30 Art. 24).
    review_pending: bool = False


def review_required(facts: CertificateFacts) -> bool:
    """A review is owed only for a review date that falls before MEM Order 19 took effect."""
    return facts.review_due is not None and facts.review_due < SWITCH_DATE


def owed_review(facts: CertificateFacts) -> date | None:
    """The review date that still binds the holder, ``None`` when no review is needed."""
    return facts.review_due if review_required(facts) else None


def lapse_cutoff(today: date) -> date:
    """A still-owed review due strictly before this date was missed: ``min(today, 2026-06-01)``.

    The services' one status-list query uses this bound, so lists, queries and the domain agree.
    """
    return min(today, SWITCH_DATE)


def review_missed(facts: CertificateFacts, today: date) -> bool:
    """Whether an owed review fell due before ``today`` (and before the switch) without being made."""
    due = facts.review_due
    return due is not None and due < lapse_cutoff(today) and not facts.review_pending


def public_status(facts: CertificateFacts, today: date) -> PublicStatus:
    """The status shown to the public on ``today``; recorded acts win over dates."""
    recorded = RECORDED_STATES.get(facts.state)
    if recorded is not None:
        return recorded
    if today < facts.valid_from:
        return PublicStatus.NOT_YET_VALID
    if today > facts.valid_to:
        return PublicStatus.EXPIRED
    if review_missed(facts, today):
        return PublicStatus.LAPSED
    return PublicStatus.VALID


def holds_valid_certificate(facts: CertificateFacts, today: date) -> bool:
    """Whether the certificate counts as a valid one its holder already has (intake's duplicate
    check): its status on ``today``, from the recorded state and the dates, is valid (or it is
    about to start). One that lapsed, expired, was revoked, cancelled or suspended does not."""
    return public_status(facts, today) in (PublicStatus.VALID, PublicStatus.NOT_YET_VALID)


def status_entry(facts: CertificateFacts, recorded: int, today: date) -> StatusCode:
    """The 2-bit entry the current credential version publishes on ``today``.

    ``recorded`` is the stored entry (superseded, revoked, suspended …); a still-in-force entry
    turns void (1) once an owed review was missed. Expiry is not a status: it is in ``exp``.
    """
    if recorded != StatusCode.IN_FORCE:
        return StatusCode(recorded)
    if facts.state == CertificateState.ACTIVE and review_missed(facts, today):
        return StatusCode.VOID
    return STATUS_CODES[CertificateState(facts.state)]
