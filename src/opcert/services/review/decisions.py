"""The officer's side: the review queue with working-day deadlines, and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opcert.domain.applications import (
    ApplicationStatus,
    Transition,
    approval,
    is_clean,
    transition,
)
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.domain.clock import local_date
from opcert.domain.errors import Conflict, DomainError, FieldError, NotFound
from opcert.domain.workdays import deadline_is_provisional, workdays_between
from opcert.persistence.models import Application
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.pipeline import IssueRequest, issue_many
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.review.overrides import not_clean, require_in_review, require_override
from opcert.services.sharing import events as sharing

MAX_REASON = 500


@dataclass(frozen=True)
class QueueEntry:
    id: str
    status: str
    name: str
    id_number: str
    item_code: str
    authority_code: str
    region: str
    filed_at: str
    due_on: date
    target_on: date
    workdays_left: int
    reasons: list[str]
    checks: list[dict[str, Any]]
    certificate_id: int | None
    printed_item_name: str | None = None
    # The deadline runs past the official holiday calendar: counted Monday to Friday (暂定).
    provisional: bool = False

    @property
    def item_name(self) -> str:
        if self.printed_item_name:
            return self.printed_item_name
        try:
            return catalogue(CURRENT_CATALOGUE_VERSION).item(self.item_code).name_zh
        except DomainError:
            return self.item_code

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item_name": self.item_name,
            "status": self.status,
            "name": self.name,
            "id_number": self.id_number,
            "item": self.item_code,
            "authority": self.authority_code,
            "region": self.region,
            "filed_at": self.filed_at,
            "due_on": self.due_on.isoformat(),
            "target_on": self.target_on.isoformat(),
            "workdays_left": self.workdays_left,
            "overdue": self.workdays_left < 0,
            "provisional": self.provisional,
            "reasons": self.reasons,
            "checks": self.checks,
        }


def _entry(row: Application, today: date) -> QueueEntry:
    return QueueEntry(
        row.id,
        row.status,
        row.name,
        row.id_number,
        row.item_code,
        row.authority_code,
        row.region,
        row.filed_at.isoformat(),
        row.due_on,
        row.target_on,
        workdays_between(today, row.due_on),
        list(row.review_reasons),
        list(row.checks),
        row.certificate_id,
        row.item_name,
        provisional=deadline_is_provisional(local_date(row.filed_at), row.due_on),
    )


def queue(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    status: str | None = "in_review",
    limit: int = 200,
    offset: int = 0,
) -> list[QueueEntry]:
    """Applications filed with an authority in the officer's division, the nearest deadline first.
    Raises ``Forbidden`` for a role that may not read applications."""
    officer.require(Action.READ_APPLICATIONS)
    if status is not None and status not in {s.value for s in ApplicationStatus}:
        raise FieldError(
            "status", "STATUS_UNKNOWN", f"未知的状态：{status}", f"unknown status {status!r}"
        )
    with ctx.uow() as uow:
        rows = uow.applications.in_scope(
            status,
            officer.region_prefix,
            authority_prefix=officer.authority_prefix,
            limit=limit,
            offset=offset,
        )
        today = ctx.today()
        return [_entry(row, today) for row in rows]


def application_detail(
    ctx: ServiceContext, officer: OfficerPrincipal, app_id: str
) -> dict[str, Any]:
    """Raises ``NotFound`` for an unknown application and for one outside the officer's scope."""
    officer.require(Action.READ_APPLICATIONS)
    with ctx.uow() as uow:
        row = _application(uow.applications.get(app_id), app_id, officer)
        detail = _entry(row, ctx.today()).to_json()
        detail["history"] = row.history
        detail["commitment"] = row.commitment
        detail["decision_reason"] = row.decision_reason
        return detail


def _application(row: Application | None, app_id: str, officer: OfficerPrincipal) -> Application:
    unknown = NotFound("APPLICATION_UNKNOWN", f"没有这个申请：{app_id}", f"no application {app_id}")
    if row is None:
        raise unknown
    officer.require_scope(row.authority_code, unknown)
    return row


@dataclass(frozen=True)
class Decision:
    application_id: str
    status: str
    certificate_no: str | None


def decide(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    app_id: str,
    decision: str,
    reason: str | None,
    *,
    confirmation: str | None = None,
    batch: bool = False,
) -> Decision:
    """Approve (and issue) or reject an application under review. A reason is required to reject.
    Approving over a failed automatic check needs an override reason and the key of the
    confirmation the officer was shown (:func:`opcert.services.review.overrides.prepare`);
    without either, ``FieldError`` names the field and nothing is written. ``batch`` approves
    only an application no check failed (``Conflict`` ``NOT_CLEAN`` otherwise).
    Raises ``Forbidden`` for a role that may not decide, ``NotFound`` outside the officer's scope."""
    officer.require(Action.DECIDE_APPLICATIONS)
    reason = _checked_decision(decision, reason)
    with ctx.uow() as uow:
        uow.begin_write()
        row = _application(uow.applications.get(app_id, lock=True), app_id, officer)
        require_in_review(row)
        if decision == "approve" and batch and not is_clean(row.review_reasons):
            raise not_clean()
        if decision == "approve":
            require_override(ctx, officer, row, reason, confirmation)
        now = ctx.now()
        moves = _moves(row.status, decision, now, officer.actor, reason or None)
        number = _issue(uow, ctx, row) if decision == "approve" else None
        row.status = moves[-1].to_status.value
        row.history = [*row.history, *(m.to_json() for m in moves)]
        row.decided_at, row.decided_by, row.decision_reason = now, officer.username, reason or None
        details = {
            "decision": decision,
            "reason": reason,
            "certificate_no": number,
            "transitions": [m.to_json() for m in moves],
        }
        event = ledger.LedgerEvent(
            now, officer.actor, f"application.{row.status}", f"application:{row.id}", details
        )
        ledger.append(uow, [event])
        sharing.emit(uow, sharing.application_events([row], ["decided"], now))
        if row.certificate_id is not None and number is not None:
            sharing.issued(uow, [row.certificate_id], ctx.today(), now)
        uow.commit()
        return Decision(row.id, row.status, number)


def _checked_decision(decision: str, reason: str | None) -> str:
    """The reason, stripped; ``FieldError`` for a missing or unknown decision, a rejection
    without a reason, or a reason over the limit."""
    if not (decision or "").strip():
        raise FieldError(
            "decision",
            "DECISION_REQUIRED",
            "请选择审批决定：批准发证或不予发证",
            "choose a decision: approve or reject",
        )
    if decision not in ("approve", "reject"):
        raise FieldError(
            "decision",
            "DECISION_UNKNOWN",
            "决定应为 approve 或 reject",
            "decision must be approve or reject",
        )
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise FieldError(
            "reason", "REASON_REQUIRED", "不予发证必须说明理由", "a rejection needs a reason"
        )
    if len(reason) > MAX_REASON:
        raise FieldError(
            "reason", "TOO_LONG", f"理由不能超过 {MAX_REASON} 字", f"reason over {MAX_REASON} chars"
        )
    return reason


def _issue(uow: UnitOfWork, ctx: ServiceContext, row: Application) -> str:
    """Issue the approved application's certificate; returns its number."""
    key = (row.id_number, row.item_code)
    existing = uow.certificates.by_pairs([key]).get(key)
    authority = uow.registry.authority(row.authority_code)
    if authority is None:
        raise Conflict(
            "AUTHORITY_UNKNOWN",
            f"申请所属的发证机关 {row.authority_code} 不存在，无法发证",
            f"the application's authority {row.authority_code} does not exist",
        )
    person = uow.persons.by_id_number(row.id_number)
    # The person record is authoritative: an application whose submitted name differed
    # (NAME_MISMATCH) is issued in the recorded name; a wrong record is corrected first.
    request = IssueRequest(
        row.id_number,
        person.name if person else row.name,
        person.sex if person else 1,
        row.item_code,
        row.catalogue_version,
        authority,
        row.id,
        existing,
        typ=row.typ,
        item_name=row.item_name,
    )
    [issued] = issue_many(uow, ctx, [request])
    row.certificate_id = issued.certificate_id
    return issued.number


def _moves(
    current: str, decision: str, now: Any, actor: str, reason: str | None
) -> list[Transition]:
    status = ApplicationStatus(current)
    if decision == "reject":
        return [transition(status, ApplicationStatus.REJECTED, at=now, actor=actor, reason=reason)]
    return approval(status, at=now, actor=actor, reason=reason)


MAX_BATCH = 200


def approve_clean(
    ctx: ServiceContext, officer: OfficerPrincipal, app_ids: list[str]
) -> list[Decision]:
    """Batch approval of the applications the officer ticked. Every one is checked before any is
    approved: ``FieldError`` on ``application`` for an empty (or oversized) selection,
    ``NotFound`` for one unknown or outside the officer's scope, ``Conflict`` for one no longer in
    review or with a failed check (``NOT_CLEAN``). Then each is decided on its own."""
    officer.require(Action.DECIDE_APPLICATIONS)
    chosen = list(dict.fromkeys(a.strip() for a in app_ids if a and a.strip()))
    if not chosen:
        raise FieldError(
            "application",
            "SELECTION_EMPTY",
            "没有勾选任何申请：请先勾选要批准的申请，再点批量批准",
            "nothing was ticked: tick the applications to approve first",
        )
    if len(chosen) > MAX_BATCH:
        raise FieldError(
            "application",
            "SELECTION_TOO_LARGE",
            f"一次最多批量批准 {MAX_BATCH} 件",
            f"at most {MAX_BATCH} applications at once",
        )
    with ctx.uow() as uow:
        for app_id in chosen:
            row = _application(uow.applications.get(app_id), app_id, officer)
            require_in_review(row)
            if not is_clean(row.review_reasons):
                raise not_clean()
    reason = "批量审批 / batch approval"
    return [decide(ctx, officer, app_id, "approve", reason, batch=True) for app_id in chosen]
