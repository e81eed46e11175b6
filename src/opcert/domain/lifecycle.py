"""What a certificate's status is on a given day, computed from its dates and recorded acts.

No nightly job: expiry and lapse follow from the dates and the rule set in force, so a query on any
day (or under a fake clock) gives the true answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opcert.domain.rules import SWITCH_DATE


class PublicStatus(StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    LAPSED = "lapsed"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


STATUS_LABELS: dict[PublicStatus, tuple[str, str]] = {
    PublicStatus.VALID: ("有效", "valid"),
    PublicStatus.NOT_YET_VALID: ("尚未生效", "not yet valid"),
    PublicStatus.EXPIRED: ("已过期", "expired"),
    PublicStatus.LAPSED: ("已失效（未按期复审）", "lapsed (review missed)"),
    PublicStatus.REVOKED: ("已撤销", "revoked"),
    PublicStatus.CANCELLED: ("已注销", "cancelled"),
    PublicStatus.SUSPENDED: ("暂停使用", "suspended"),
}

RECORDED_STATES = {
    "revoked": PublicStatus.REVOKED,
    "cancelled": PublicStatus.CANCELLED,
    "suspended": PublicStatus.SUSPENDED,
    "lapsed": PublicStatus.LAPSED,
}


@dataclass(frozen=True)
class CertificateFacts:
    state: str
    rule_set: str
    valid_from: date
    valid_to: date
    review_due: date | None
    reviewed_on: date | None


def review_required(facts: CertificateFacts) -> bool:
    """A review is owed only for a review date that falls before MEM Order 19 took effect."""
    return facts.review_due is not None and facts.review_due < SWITCH_DATE


def public_status(facts: CertificateFacts, today: date) -> PublicStatus:
    recorded = RECORDED_STATES.get(facts.state)
    if recorded is not None:
        return recorded
    if today < facts.valid_from:
        return PublicStatus.NOT_YET_VALID
    if today > facts.valid_to:
        return PublicStatus.EXPIRED
    due = facts.review_due
    if review_required(facts) and facts.reviewed_on is None and due is not None and today > due:
        return PublicStatus.LAPSED
    return PublicStatus.VALID
