"""The certificate application (发证申请) and its one transition table.

An application is filed, checked automatically, approved straight away when
every check passes or sent to an officer for review, and finally issued;
rejection and withdrawal end it. Every change is a :class:`Transition`
record, so the history of an application is a list of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from opcert.domain.errors import IllegalTransition


class ApplicationStatus(StrEnum):
    """Where an application is in its life."""

    FILED = "filed"
    CHECKING = "checking"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"

    @property
    def label_zh(self) -> str:
        """Chinese label, e.g. 人工审核中."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _LABELS[self][1]

    @property
    def is_terminal(self) -> bool:
        """True when no transition leaves this status."""
        return not TRANSITIONS[self]


_S = ApplicationStatus

TRANSITIONS: Mapping[ApplicationStatus, frozenset[ApplicationStatus]] = MappingProxyType(
    {
        _S.FILED: frozenset({_S.CHECKING, _S.WITHDRAWN}),
        _S.CHECKING: frozenset({_S.APPROVED, _S.IN_REVIEW, _S.WITHDRAWN}),
        _S.IN_REVIEW: frozenset({_S.APPROVED, _S.REJECTED, _S.WITHDRAWN}),
        _S.APPROVED: frozenset({_S.ISSUED}),
        _S.REJECTED: frozenset(),
        _S.ISSUED: frozenset(),
        _S.WITHDRAWN: frozenset(),
    }
)

_LABELS: dict[ApplicationStatus, tuple[str, str]] = {
    _S.FILED: ("已提交", "Filed"),
    _S.CHECKING: ("自动核验中", "Being checked"),
    _S.IN_REVIEW: ("人工审核中", "In review"),
    _S.APPROVED: ("已批准", "Approved"),
    _S.REJECTED: ("不予发证", "Rejected"),
    _S.ISSUED: ("已发证", "Certificate issued"),
    _S.WITHDRAWN: ("已撤回", "Withdrawn"),
}


def status_label_zh(status: ApplicationStatus | str) -> str:
    """Chinese label of a status (given as the enum or its value)."""
    return ApplicationStatus(status).label_zh


def allowed_targets(current: ApplicationStatus | None) -> frozenset[ApplicationStatus]:
    """The statuses reachable in one step; from nothing, only ``FILED``."""
    if current is None:
        return frozenset({ApplicationStatus.FILED})
    return TRANSITIONS[current]


@dataclass(frozen=True)
class Transition:
    """One recorded status change: who moved the application, when and why."""

    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    at: datetime
    actor: str
    reason: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """A JSON-ready dict; ``at`` in ISO 8601 with its offset."""
        return {
            "from_status": None if self.from_status is None else self.from_status.value,
            "to_status": self.to_status.value,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transition:
        """Inverse of :meth:`to_json`. Raises ``ValueError`` on a malformed
        record (unknown status, naive or unparseable ``at``, empty actor)."""
        try:
            from_raw = data.get("from_status")
            return _validated(
                cls(
                    from_status=None if from_raw is None else ApplicationStatus(from_raw),
                    to_status=ApplicationStatus(data["to_status"]),
                    at=datetime.fromisoformat(data["at"]),
                    actor=str(data["actor"]),
                    reason=data.get("reason"),
                )
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"malformed transition record: {error}") from error


def _validated(record: Transition) -> Transition:
    if record.at.tzinfo is None or record.at.utcoffset() is None:
        raise ValueError("transition time must be timezone-aware")
    if not record.actor.strip():
        raise ValueError("a transition needs an actor")
    return record


def transition(
    current: ApplicationStatus | None,
    target: ApplicationStatus,
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> Transition:
    """Move an application from ``current`` (``None`` for a new one) to ``target``.

    Returns the record to store. Raises ``IllegalTransition``
    (``ILLEGAL_TRANSITION``) for a move not in :data:`TRANSITIONS`, naming both
    states, and ``ValueError`` for a naive ``at`` or an empty ``actor``
    (programming errors, not user errors).
    """
    record = _validated(Transition(current, ApplicationStatus(target), at, actor, reason))
    if record.to_status not in allowed_targets(current):
        raise _illegal(current, record.to_status)
    return record


def _illegal(current: ApplicationStatus | None, target: ApplicationStatus) -> IllegalTransition:
    if current is None:
        return IllegalTransition(
            "ILLEGAL_TRANSITION",
            f"新申请只能处于“{_S.FILED.label_zh}”状态，不能直接成为“{target.label_zh}”。",
            f"A new application can only be filed, not {target.value}.",
        )
    return IllegalTransition(
        "ILLEGAL_TRANSITION",
        f"申请不能从“{current.label_zh}”变为“{target.label_zh}”。",
        f"An application cannot move from {current.value} to {target.value}.",
    )


# The routing rule: which filed applications are issued at once and which go to an officer.

POLICY_REASON = "AUTHORITY_REVIEWS_ALL"  # no check failed; the authority reviews by hand


@dataclass(frozen=True)
class Routing:
    """Where a checked application goes: issued at once, or to review for ``reasons``."""

    issue: bool
    reasons: tuple[str, ...]

    @property
    def why(self) -> str:
        """The reason recorded on the routing transition."""
        if self.issue:
            return "自动核验全部通过 / every check passed"
        if self.reasons == (POLICY_REASON,):
            return "发证机关要求人工审批 / authority policy"
        return "需人工审核 / officer review required"


def route(failed_checks: Sequence[str], *, authority_auto_approves: bool) -> Routing:
    """An application is issued at once only when no check failed and its authority approves
    automatically; otherwise it goes to review, for the failed checks' reasons or, when none
    failed, for the authority's policy (``POLICY_REASON``)."""
    if not failed_checks and authority_auto_approves:
        return Routing(issue=True, reasons=())
    return Routing(issue=False, reasons=tuple(failed_checks) or (POLICY_REASON,))


def is_clean(reasons: Sequence[str]) -> bool:
    """True for an application in review only by the authority's policy: one ``route`` would
    have issued under an authority that approves automatically, so an officer may approve it
    in a batch."""
    return all(reason == POLICY_REASON for reason in reasons)


def approval(
    current: ApplicationStatus, *, at: datetime, actor: str, reason: str | None
) -> list[Transition]:
    """The moves of an approval, automatic or an officer's: approved, then issued in the same
    act. Raises ``IllegalTransition`` from a status that cannot be approved."""
    return [
        transition(current, ApplicationStatus.APPROVED, at=at, actor=actor, reason=reason),
        transition(ApplicationStatus.APPROVED, ApplicationStatus.ISSUED, at=at, actor=actor),
    ]


def routed(routing: Routing, *, at: datetime, actor: str) -> list[Transition]:
    """The moves out of ``CHECKING`` that ``routing`` calls for."""
    if routing.issue:
        return approval(ApplicationStatus.CHECKING, at=at, actor=actor, reason=routing.why)
    return [
        transition(
            ApplicationStatus.CHECKING,
            ApplicationStatus.IN_REVIEW,
            at=at,
            actor=actor,
            reason=routing.why,
        )
    ]
