"""Approving over a failed automatic check: the officer gives an override reason, is shown every
failed check with that reason on a confirmation page, and only then may approve; the service
refuses an approval that skipped either step (decision record 0020)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opcert.domain.applications import ApplicationStatus
from opcert.domain.errors import Conflict, FieldError, NotFound
from opcert.persistence.models import Application
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.review import confirmations

OVERRIDE_ACT = "application.approve_override"
MAX_REASON = 500


def require_in_review(row: Application) -> None:
    if row.status != ApplicationStatus.IN_REVIEW.value:
        label = ApplicationStatus(row.status)
        raise Conflict(
            "NOT_IN_REVIEW",
            f"该申请当前状态为「{label.label_zh}」，不在审核中，不能再作决定",
            f"the application is {label.label_en.lower()}, not in review",
        )


def not_clean() -> Conflict:
    return Conflict(
        "NOT_CLEAN",
        "有自动检查未通过的申请不能批量批准，请逐件审核",
        "an application with a failed check cannot be approved in a batch; decide it on its own",
    )


def _reason_missing() -> FieldError:
    return FieldError(
        "reason",
        "OVERRIDE_REASON_REQUIRED",
        "有自动检查未通过：批准发证必须说明为何仍予批准（越过未通过检查的理由）",
        "a check failed: approving needs a reason for overriding it",
    )


def failed_checks(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The automatic checks that failed, in the order they ran."""
    return [c for c in checks if c.get("outcome") == "failed"]


def override_answers(row: Application, reason: str) -> dict[str, Any]:
    """What a confirmation of an override is bound to: the application, the decision, the
    reason as shown and every failed check as shown."""
    failed = [[c.get("check"), c.get("reason")] for c in failed_checks(list(row.checks))]
    return {"application": row.id, "decision": "approve", "reason": reason, "failed": failed}


def require_override(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    row: Application,
    reason: str,
    confirmation: str | None,
) -> None:
    """Approving over a failed check: ``FieldError`` on ``reason`` without an override reason,
    on ``confirmation`` without a key confirming exactly this reason and these failed checks."""
    if not failed_checks(list(row.checks)):
        return
    if not reason:
        raise _reason_missing()
    confirmations.require(ctx, officer, OVERRIDE_ACT, override_answers(row, reason), confirmation)


@dataclass(frozen=True)
class Override:
    """What the confirmation page shows, and the key that confirms it."""

    application_id: str
    name: str
    id_number: str
    item_code: str
    item_name: str | None
    reason: str
    failed: list[dict[str, Any]]
    key: str


def prepare(ctx: ServiceContext, officer: OfficerPrincipal, app_id: str, reason: str) -> Override:
    """The confirmation of approving ``app_id`` over its failed checks with ``reason``. Raises
    ``Forbidden`` for a role that may not decide, ``NotFound`` outside the officer's scope,
    ``Conflict`` when not in review or no check failed (nothing to override), ``FieldError`` on
    ``reason`` when it is empty or too long."""
    officer.require(Action.DECIDE_APPLICATIONS)
    reason = (reason or "").strip()
    with ctx.uow() as uow:
        row = uow.applications.get(app_id)
        unknown = NotFound(
            "APPLICATION_UNKNOWN", f"没有这个申请：{app_id}", f"no application {app_id}"
        )
        if row is None:
            raise unknown
        officer.require_scope(row.authority_code, unknown)
        require_in_review(row)
        failed = failed_checks(list(row.checks))
        if not failed:
            raise Conflict(
                "NOTHING_TO_OVERRIDE",
                "该申请的自动检查全部通过，无需越过",
                "every check passed: there is nothing to override",
            )
        if len(reason) > MAX_REASON:
            raise FieldError(
                "reason",
                "TOO_LONG",
                f"理由不能超过 {MAX_REASON} 字",
                f"reason over {MAX_REASON} chars",
            )
        if not reason:
            raise _reason_missing()
        key = confirmations.issue(ctx, officer, OVERRIDE_ACT, override_answers(row, reason))
        return Override(
            row.id, row.name, row.id_number, row.item_code, row.item_name, reason, failed, key
        )
