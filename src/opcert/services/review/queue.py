"""The officer's queue as people read it: each reason for review explained, and which entries
are clean (every automatic check passed; only the authority's policy asks for a person)."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.applications import POLICY_REASON, is_clean
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.review import decisions as approval

POLICY_TEXT = ("发证机关要求逐件人工审批", "the authority reviews every application by hand")


@dataclass(frozen=True)
class Reason:
    code: str
    message_zh: str
    message_en: str
    hold: str | None = None  # an exam-data hold: its id, for the link to /officer/holds
    signal: str | None = None


@dataclass(frozen=True)
class QueueRow:
    entry: approval.QueueEntry
    reasons: list[Reason]
    clean: bool


PAGE_SIZE = 20
MAX_PAGE = 10_000


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: int
    has_next: bool


def explained_queue(
    ctx: ServiceContext, officer: OfficerPrincipal, page: int = 1, per_page: int = PAGE_SIZE
) -> QueuePage:
    """One page of the officer's queue (nearest deadline first, then filing time and id, so the
    order is stable from page to page)."""
    page = min(max(1, page), MAX_PAGE)
    entries = approval.queue(
        ctx, officer, "in_review", limit=per_page + 1, offset=(page - 1) * per_page
    )
    rows = [
        QueueRow(entry, explain(entry.reasons, entry.checks), is_clean(entry.reasons))
        for entry in entries[:per_page]
    ]
    return QueuePage(rows, page, len(entries) > per_page)


def explain(reasons: list[str], checks: list[dict[str, str]]) -> list[Reason]:
    by_code = {c.get("reason"): c for c in checks if c.get("outcome") != "passed"}
    explained = []
    for code in reasons:
        check = by_code.get(code)
        if check:
            explained.append(
                Reason(
                    code,
                    check["message_zh"],
                    check["message_en"],
                    check.get("hold"),
                    check.get("signal"),
                )
            )
        elif code == POLICY_REASON:
            explained.append(Reason(code, *POLICY_TEXT))
        else:
            explained.append(Reason(code, code, code))
    return explained


def approve_clean(ctx: ServiceContext, officer: OfficerPrincipal, app_ids: list[str]) -> int:
    """Approve the ticked applications; how many were approved. Refuses (before approving any)
    an empty selection and any application the officer may not approve in a batch: see
    :func:`opcert.services.review.decisions.approve_clean`."""
    return len(approval.approve_clean(ctx, officer, app_ids))
