"""The officer's queue as people read it: each reason for review explained, and which entries
are clean (every automatic check passed; only the authority's policy asks for a person)."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.applications import POLICY_REASON, is_clean
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.review import decisions as approval

POLICY_TEXT = ("发证机关要求逐件人工审批", "the authority reviews every application by hand")


@dataclass(frozen=True)
class Reason:
    code: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class QueueRow:
    entry: approval.QueueEntry
    reasons: list[Reason]
    clean: bool


def explained_queue(ctx: ServiceContext, officer: OfficerPrincipal) -> list[QueueRow]:
    return [
        QueueRow(entry, explain(entry.reasons, entry.checks), is_clean(entry.reasons))
        for entry in approval.queue(ctx, officer, "in_review")
    ]


def explain(reasons: list[str], checks: list[dict[str, str]]) -> list[Reason]:
    by_code = {c.get("reason"): c for c in checks if c.get("outcome") != "passed"}
    explained = []
    for code in reasons:
        check = by_code.get(code)
        if check:
            explained.append(Reason(code, check["message_zh"], check["message_en"]))
        elif code == POLICY_REASON:
            explained.append(Reason(code, *POLICY_TEXT))
        else:
            explained.append(Reason(code, code, code))
    return explained


def approve_clean(ctx: ServiceContext, officer: OfficerPrincipal, app_ids: list[str]) -> int:
    """Approve the chosen applications that are clean and in the officer's queue (ids outside
    their scope are ignored like unknown ones); returns how many were approved. Raises
    ``Forbidden`` for a role that may not decide."""
    officer.require(Action.DECIDE_APPLICATIONS)
    clean = {row.entry.id for row in explained_queue(ctx, officer) if row.clean}
    return len(approval.approve_clean(ctx, officer, [i for i in app_ids if i in clean]))
