"""Review (复审), renewal (换证 / 延期复审) and return-to-work rules, as pure functions of dates.

Sources: Order 30 Arts. 21-26 and 32, MEM Order 19's summary, Order 44 Art. 25 for the safety
manager certificate (domain-reference sections 4.2, 6 and 7.1). Every function takes the day it
is asked about; nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from opcert.domain.errors import FieldError
from opcert.domain.periods import add_months, add_years
from opcert.domain.rules import SWITCH_DATE, RuleSet
from opcert.domain.status_tables import StatusTable
from opcert.domain.workdays import add_workdays

REVIEW_WINDOW_DAYS = 60  # Art. 22: apply within 60 days before the due date
MIN_TRAINING_HOURS = 8  # Art. 23
DECISION_WORKDAYS = 20  # Art. 24
EXTENDED_REVIEW_YEARS_IN_TRADE = 10  # Art. 21
RETURN_TO_WORK_MONTHS = 6  # Art. 32
SM_VALIDITY_YEARS = 3  # Order 44
SM_RENEWAL_LEAD_DAYS = 30  # Order 44 Art. 25: apply at least 30 days before expiry
RENEWAL_WINDOW_DAYS = 60  # applications open 60 days before the end of validity
REMINDER_DAYS = (60, 30, 7)


class ReviewStatus(StrEnum):
    """The values of ``reviews.status``: a review application (复审申请) and its decision."""

    PENDING = "pending"  # filed in its window, awaiting a decision
    PASSED = "passed"
    RETRAIN = "retrain"  # failed on Art. 25(2)-(5) the first time: re-train and apply again
    FAILED = "failed"  # the certificate lapsed


REVIEW_STATUSES: StatusTable[ReviewStatus] = StatusTable(
    ReviewStatus,
    ("复审申请", "review application"),
    {
        ReviewStatus.PENDING: frozenset(
            {ReviewStatus.PASSED, ReviewStatus.RETRAIN, ReviewStatus.FAILED}
        ),
        ReviewStatus.PASSED: frozenset(),
        ReviewStatus.RETRAIN: frozenset(),
        ReviewStatus.FAILED: frozenset(),
    },
    {
        ReviewStatus.PENDING: ("待决定", "pending"),
        ReviewStatus.PASSED: ("复审合格", "passed"),
        ReviewStatus.RETRAIN: ("须重新培训后再申请", "to re-train and apply again"),
        ReviewStatus.FAILED: ("复审不合格", "failed"),
    },
)


class ReviewFailGround(StrEnum):
    """Order 30 Art. 25: grounds on which a review is not passed."""

    HEALTH = "health"  # (1) 健康体检不合格
    VIOLATIONS = "violations"  # (2) 违章造成严重后果或 2 次以上违章
    PENALTY = "penalty"  # (3) 违章受到行政处罚
    OBSTRUCTION = "obstruction"  # (4) 拒绝、阻碍监督检查
    TRAINING = "training"  # (5) 未按规定参加培训或考试不合格
    REVOCABLE = "revocable"  # (6) 有第30、31条情形


FAIL_GROUND_LABELS: dict[ReviewFailGround, tuple[str, str]] = {
    ReviewFailGround.HEALTH: ("健康体检不合格", "failed the health check"),
    ReviewFailGround.VIOLATIONS: (
        "违章操作造成严重后果或者有2次以上违章行为",
        "a violation with serious consequences, or two or more violations",
    ),
    ReviewFailGround.PENALTY: (
        "有安全生产违法行为并给予行政处罚",
        "a safety violation with an administrative penalty",
    ),
    ReviewFailGround.OBSTRUCTION: (
        "拒绝、阻碍安全生产监管监察部门监督检查",
        "refused or obstructed a safety inspection",
    ),
    ReviewFailGround.TRAINING: (
        "未按规定参加安全培训，或者考试不合格",
        "did not attend the required training, or failed its exam",
    ),
    ReviewFailGround.REVOCABLE: (
        "具有应撤销或注销证书的情形",
        "a ground for revocation or cancellation applies",
    ),
}

# Art. 26: for grounds (2)-(5) the holder re-trains, re-sits and applies again once; failing
# again lapses the certificate. Grounds (1) and (6) lapse it at once.
RETRAINABLE = frozenset(
    {
        ReviewFailGround.VIOLATIONS,
        ReviewFailGround.PENALTY,
        ReviewFailGround.OBSTRUCTION,
        ReviewFailGround.TRAINING,
    }
)


@dataclass(frozen=True)
class Window:
    """An application window, both ends inclusive."""

    opens: date
    closes: date

    def contains(self, day: date) -> bool:
        return self.opens <= day <= self.closes


def review_window(due: date) -> Window:
    """Art. 22: from 60 days before the due date up to the due date itself."""
    return Window(due - timedelta(days=REVIEW_WINDOW_DAYS), due)


def review_decision_due(applied_on: date) -> date:
    """Art. 24: the authority decides within 20 working days of the application."""
    return add_workdays(applied_on, DECISION_WORKDAYS)


def review_interval(rules: RuleSet, *, extended: bool) -> int | None:
    """Years between reviews, ``None`` where the rule set has no review."""
    if extended and rules.extended_review_interval_years is not None:
        return rules.extended_review_interval_years
    return rules.review_interval_years


def next_review_due(
    rules: RuleSet, due: date, valid_to: date, *, extended: bool = False
) -> date | None:
    """The review owed after a review passed for ``due``: one interval on, ``None`` when that
    date is not before the end of validity (renewal takes over) or falls on/after 2026-06-01."""
    interval = review_interval(rules, extended=extended)
    if interval is None:
        return None
    following = add_years(due, interval)
    if following >= valid_to or following >= SWITCH_DATE:
        return None
    return following


def extended_review_due(valid_from: date, rules: RuleSet) -> date | None:
    """Art. 21: after ten continuous, compliant years the review is owed six years after the
    start of validity (with six-year validity, the day the renewal falls due); ``None`` where the
    rule set has no review."""
    interval = review_interval(rules, extended=True)
    return None if interval is None else add_years(valid_from, interval)


def qualifies_for_extended_review(years_in_trade: int, violations: int) -> bool:
    """Art. 21: at least ten continuous years in the operation and no violation."""
    return years_in_trade >= EXTENDED_REVIEW_YEARS_IN_TRADE and violations == 0


def check_training_hours(hours: float) -> None:
    """Raise ``FieldError`` (``TRAINING_HOURS``) below the 8 hours of Art. 23."""
    if hours < MIN_TRAINING_HOURS:
        raise FieldError(
            "training_hours",
            "TRAINING_HOURS",
            f"复审培训不少于{MIN_TRAINING_HOURS}学时，记录为{hours:g}学时",
            f"review training needs at least {MIN_TRAINING_HOURS} hours, {hours:g} recorded",
        )


def renewal_window(typ: str, valid_to: date) -> Window:
    """When a renewal (换证) may be applied for.

    SO: from 60 days before the end of validity to its last day. SM (Order 44 Art. 25): at
    least 30 days before expiry, opening 60 days before that.
    """
    if typ == "SM":
        closes = valid_to - timedelta(days=SM_RENEWAL_LEAD_DAYS)
        return Window(closes - timedelta(days=RENEWAL_WINDOW_DAYS), closes)
    return Window(valid_to - timedelta(days=RENEWAL_WINDOW_DAYS), valid_to)


def practical_exam_required(away_from: date, back_on: date) -> bool:
    """Art. 32: away from the post for more than six months, the practical exam is taken again."""
    return back_on > add_months(away_from, RETURN_TO_WORK_MONTHS)


def reminder_days(deadline: date) -> list[tuple[int, date]]:
    """(days before, send on) for the 60-, 30- and 7-day reminders before ``deadline``."""
    return [(days, deadline - timedelta(days=days)) for days in REMINDER_DAYS]
