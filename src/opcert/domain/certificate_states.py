"""A certificate's recorded state and the one table of the acts that move it.

The state is what officers and the holder did (撤销, 注销, 暂停使用, 失效 on a failed review); what
the dates do (expiry, a missed review) is computed on the day by :mod:`opcert.domain.lifecycle`
and never recorded. Each state publishes one status-list value (credential spec section 5),
kept beside it here, so the table, the row and the status bit cannot disagree.

An act not in the table for the current state is refused with a :class:`Conflict` naming both,
for example a cancelled (注销) certificate cannot be revoked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict


class CertificateState(StrEnum):
    """The values of ``certificates.state``."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"

    @property
    def label_zh(self) -> str:
        return STATE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return STATE_LABELS[self][1]

    @property
    def status_code(self) -> StatusCode:
        """The value the current credential's status-list entry holds in this state."""
        return STATUS_CODES[self]


class CertificateAct(StrEnum):
    """What an officer, the holder or a review decision does to a certificate."""

    REVOKE = "revoke"  # 撤销
    CANCEL = "cancel"  # 注销
    SUSPEND = "suspend"  # 暂停使用
    REINSTATE = "reinstate"  # 恢复使用
    LAPSE = "lapse"  # 失效 (review failed)
    SUPERSEDE = "supersede"  # a new credential version (review, renewal, legacy conversion)
    CORRECT = "correct"  # 更正
    REPLACE = "replace"  # 补证

    @property
    def label_zh(self) -> str:
        return ACT_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The past participle: "the certificate cannot be revoked"."""
        return ACT_LABELS[self][1]


_S = CertificateState
_A = CertificateAct

STATE_LABELS: Mapping[CertificateState, tuple[str, str]] = MappingProxyType(
    {
        _S.ACTIVE: ("有效", "active"),
        _S.SUSPENDED: ("暂停使用", "suspended"),
        _S.REVOKED: ("已撤销", "revoked"),
        _S.CANCELLED: ("已注销", "cancelled"),
        _S.LAPSED: ("已失效", "lapsed"),
    }
)

# Each state's status-list value: void (1) for 撤销, 注销 and 失效 alike.
STATUS_CODES: Mapping[CertificateState, StatusCode] = MappingProxyType(
    {
        _S.ACTIVE: StatusCode.IN_FORCE,
        _S.SUSPENDED: StatusCode.SUSPENDED,
        _S.REVOKED: StatusCode.VOID,
        _S.CANCELLED: StatusCode.VOID,
        _S.LAPSED: StatusCode.VOID,
    }
)

ACT_LABELS: Mapping[CertificateAct, tuple[str, str]] = MappingProxyType(
    {
        _A.REVOKE: ("撤销", "revoked"),
        _A.CANCEL: ("注销", "cancelled"),
        _A.SUSPEND: ("暂停使用", "suspended"),
        _A.REINSTATE: ("恢复使用", "reinstated"),
        _A.LAPSE: ("认定失效", "declared lapsed"),
        _A.SUPERSEDE: ("换发新版本", "given a new version"),
        _A.CORRECT: ("更正", "corrected"),
        _A.REPLACE: ("补证", "replaced"),
    }
)


@dataclass(frozen=True)
class Move:
    """An act's allowed starting states and the state it leaves the certificate in."""

    allowed_from: frozenset[CertificateState]
    to: CertificateState


# The one table. Revocation (Order 30 Art. 30) also covers a certificate that lapsed (超过有效期
# 未延期复审) but never one already cancelled; cancellation (Art. 29) follows a revocation.
TRANSITIONS: Mapping[CertificateAct, Move] = MappingProxyType(
    {
        _A.REVOKE: Move(frozenset({_S.ACTIVE, _S.SUSPENDED, _S.LAPSED}), _S.REVOKED),
        _A.CANCEL: Move(frozenset({_S.ACTIVE, _S.SUSPENDED, _S.REVOKED, _S.LAPSED}), _S.CANCELLED),
        _A.SUSPEND: Move(frozenset({_S.ACTIVE}), _S.SUSPENDED),
        _A.REINSTATE: Move(frozenset({_S.SUSPENDED}), _S.ACTIVE),
        _A.LAPSE: Move(frozenset({_S.ACTIVE, _S.SUSPENDED}), _S.LAPSED),
        _A.SUPERSEDE: Move(frozenset({_S.ACTIVE}), _S.ACTIVE),
        _A.CORRECT: Move(frozenset({_S.ACTIVE}), _S.ACTIVE),
        _A.REPLACE: Move(frozenset({_S.ACTIVE}), _S.ACTIVE),
    }
)


def allowed(state: CertificateState | str, act: CertificateAct) -> bool:
    """Whether ``act`` may be done to a certificate in ``state``."""
    return CertificateState(state) in TRANSITIONS[act].allowed_from


def next_state(state: CertificateState | str, act: CertificateAct) -> CertificateState:
    """The state ``act`` leaves a certificate in ``state`` in.

    Raises ``Conflict`` (``ACT_NOT_ALLOWED``) naming the state and the act when the table does
    not allow the move, and ``ValueError`` for a value that is no state (a corrupt row).
    """
    current = CertificateState(state)
    if current not in TRANSITIONS[act].allowed_from:
        raise Conflict(
            "ACT_NOT_ALLOWED",
            f"证书状态为「{current.label_zh}」，不能{act.label_zh}",
            f"the certificate is {current.label_en}; it cannot be {act.label_en}",
        )
    return TRANSITIONS[act].to
