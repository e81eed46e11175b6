"""Review (复审, Order 30 Arts. 21-26): apply in the window, decide, record the passed review on a
new credential version; a failed or missed review lapses the certificate (失效).

Under MEM Order 19 a review falling due on or after 2026-06-01 is not needed: applying for one is
refused with ``REVIEW_NOT_NEEDED`` and nothing else has to happen, the dates say it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opcert.domain.errors import Conflict, FieldError, NotFound
from opcert.domain.lifecycle import REVIEW_NOT_NEEDED, owed_review
from opcert.domain.reviews import (
    FAIL_GROUND_LABELS,
    RETRAINABLE,
    REVIEW_STATUSES,
    ReviewFailGround,
    ReviewStatus,
    check_training_hours,
    extended_review_due,
    next_review_due,
    qualifies_for_extended_review,
    review_decision_due,
    review_window,
)
from opcert.domain.rules import RuleSetId, rule_set, rule_set_for
from opcert.persistence.models import Certificate, ReviewRow
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.lifecycle import acts
from opcert.services.lifecycle.legacy import convert_if_legacy
from opcert.services.lifecycle.versions import facts_of, find, new_version, record, require_active

APPLICANTS = ("holder", "employer")


@dataclass(frozen=True)
class ReviewApplication:
    review_id: int
    due_on: date
    applied_on: date
    decision_due_on: date


@dataclass(frozen=True)
class ReviewDecision:
    status: str  # passed | retrain | failed
    reviewed_on: date | None
    next_due_on: date | None
    cti: str | None


def apply_for_review(
    ctx: ServiceContext,
    number: str,
    item: str,
    *,
    training_hours: float,
    training_institution: str,
    applicant: str = "holder",
    authority: str | None = None,
    workplace: bool = False,
    actor: str = "cli:operator",
) -> ReviewApplication:
    """File a review application. Raises ``Conflict`` (``REVIEW_NOT_NEEDED``, ``REVIEW_WINDOW``,
    ``REVIEW_PENDING``, ``CERTIFICATE_NOT_ACTIVE``) or ``FieldError`` for bad inputs.

    Under ORDER30 the application goes to the original authority, or to the workplace authority
    when ``workplace`` says so; under MEM19 any authority accepts it.
    """
    if applicant not in APPLICANTS:
        raise FieldError("applicant", "APPLICANT", "申请人应为持证人或用人单位", "holder|employer")
    check_training_hours(training_hours)
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        require_active(row)
        today, now = ctx.today(), ctx.now()
        due = _owed(uow, row, today)
        code = _competent_authority(uow, row, authority, workplace, today)
        _require_training_institution(uow, training_institution)
        review = ReviewRow(
            certificate_id=row.id,
            due_on=due,
            applied_on=today,
            applicant=applicant,
            authority_code=code,
            training_hours=training_hours,
            training_institution=training_institution,
            status=ReviewStatus.PENDING.value,
            decision_due_on=review_decision_due(today),
            created_at=now,
        )
        uow.lifecycle.add(review)
        record(uow, row, "review_applied", today, now, actor, {"due_on": due.isoformat()})
        uow.commit()
        return ReviewApplication(review.id, due, today, review.decision_due_on)


def _owed(uow: UnitOfWork, row: Certificate, today: date) -> date:
    facts = facts_of(uow, row)
    due = owed_review(facts)
    if due is None:
        raise Conflict("REVIEW_NOT_NEEDED", *REVIEW_NOT_NEEDED)
    window = review_window(due)
    if not window.contains(today):
        raise Conflict(
            "REVIEW_WINDOW",
            f"复审申请受理期为 {window.opens} 至 {window.closes}",
            f"review applications are accepted from {window.opens} to {window.closes}",
        )
    if facts.review_pending:
        raise Conflict("REVIEW_PENDING", "已有待决定的复审申请", "a review application is pending")
    return due


def _competent_authority(
    uow: UnitOfWork, row: Certificate, code: str | None, workplace: bool, today: date
) -> str:
    code = (code or row.authority_code).strip()
    if uow.registry.authority(code) is None:
        raise FieldError("authority", "AUTHORITY_UNKNOWN", "发证机关不存在", "unknown authority")
    if code != row.authority_code and not workplace and rule_set_for(today).id is RuleSetId.ORDER30:
        raise FieldError(
            "authority",
            "AUTHORITY_NOT_COMPETENT",
            "复审应向原发证机关或从业所在地发证机关申请",
            "apply to the original authority or the authority where you work",
        )
    return code


def _require_training_institution(uow: UnitOfWork, code: str) -> None:
    institution = uow.registry.institution_by_code(code.strip())
    if institution is None or institution.kind != "training":
        raise FieldError(
            "training_institution",
            "TRAINING_INSTITUTION",
            "复审培训须由登记的培训机构记录",
            "the review training must be recorded by a registered training institution",
        )


def decide_review(
    ctx: ServiceContext,
    number: str,
    item: str,
    *,
    passed: bool,
    ground: str | None = None,
    actor: str = "cli:operator",
) -> ReviewDecision:
    """Decide the pending review. Passed: a new credential version carries the review date and the
    next due date, the old one is superseded. Failed on Art. 25(2)-(5) the first time: ``retrain``
    (re-train and apply again before the due date); otherwise the certificate lapses (status 1)."""
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        review = uow.lifecycle.pending_review(row.id)
        if review is None:
            raise NotFound("NO_PENDING_REVIEW", "没有待决定的复审申请", "no pending review")
        today, now = ctx.today(), ctx.now()
        review.decided_on = today
        decision = (
            _pass(uow, ctx, row, review, today)
            if passed
            else _fail(uow, ctx, row, review, _ground(ground), actor)
        )
        record(uow, row, "review_decided", today, now, actor, {"status": decision.status})
        uow.commit()
        return decision


def _pass(
    uow: UnitOfWork, ctx: ServiceContext, row: Certificate, review: ReviewRow, today: date
) -> ReviewDecision:
    review.status = REVIEW_STATUSES.move(review.status, ReviewStatus.PASSED).value
    extended = bool(uow.lifecycle.events_of(row.id, "extended_review"))
    rules = rule_set(row.rule_set)
    row.reviewed_on = today
    row.review_due_on = next_review_due(rules, review.due_on, row.valid_to, extended=extended)
    uow.flush()
    convert_if_legacy(uow, row, ctx.now())
    version = new_version(uow, ctx, row, ctx.now())
    return ReviewDecision(review.status, today, row.review_due_on, version.cti)


def _fail(
    uow: UnitOfWork,
    ctx: ServiceContext,
    row: Certificate,
    review: ReviewRow,
    ground: str,
    actor: str,
) -> ReviewDecision:
    review.fail_ground = ground
    earlier = uow.lifecycle.failed_reviews(row.id, review.due_on)
    if ground in RETRAINABLE and earlier == 0:
        review.status = REVIEW_STATUSES.move(review.status, ReviewStatus.RETRAIN).value
        return ReviewDecision(review.status, None, row.review_due_on, None)
    review.status = REVIEW_STATUSES.move(review.status, ReviewStatus.FAILED).value
    zh, _ = FAIL_GROUND_LABELS[ReviewFailGround(ground)]
    acts.lapse(uow, ctx, row, f"复审不合格：{zh}", actor=actor)
    return ReviewDecision(review.status, None, row.review_due_on, None)


def _ground(ground: str | None) -> str:
    try:
        return ReviewFailGround((ground or "").strip()).value
    except ValueError:
        raise FieldError(
            "ground",
            "GROUND_UNKNOWN",
            f"复审不合格情形应为：{', '.join(g.value for g in ReviewFailGround)}",
            f"ground must be one of {', '.join(g.value for g in ReviewFailGround)}",
        ) from None


def grant_extended_review(
    ctx: ServiceContext,
    number: str,
    item: str,
    *,
    years_in_trade: int,
    violations: int,
    actor: str = "cli:operator",
) -> date | None:
    """Art. 21: record ten continuous, compliant years; the review falls due six years after the
    start of validity, and a new credential version carries that date. Returns the new due date.
    Raises ``Conflict`` (``EXTENDED_REVIEW_REFUSED``) when the facts do not qualify."""
    if not qualifies_for_extended_review(years_in_trade, violations):
        raise Conflict(
            "EXTENDED_REVIEW_REFUSED",
            "须连续从事本工种10年以上且无违法行为",
            "needs ten continuous years in the operation and no violation",
        )
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        require_active(row)
        today, now = ctx.today(), ctx.now()
        row.review_due_on = extended_review_due(row.valid_from, rule_set(row.rule_set))
        data = {"years_in_trade": years_in_trade, "violations": violations}
        record(uow, row, "extended_review", today, now, actor, data)
        if row.current_version_id is not None:
            new_version(uow, ctx, row, now)
        uow.commit()
        return row.review_due_on
