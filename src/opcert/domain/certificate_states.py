"""A certificate's recorded state and the one table of the acts that move it.

The state is what officers and the holder did (撤销, 注销, 暂扣, 失效 on a failed review); what
the dates do (expiry, a missed review) is computed on the day by :mod:`opcert.domain.lifecycle`
and never recorded. Each state publishes one status-list value (credential spec section 5),
kept beside it here, so the table, the row and the status bit cannot disagree.

The states a person sees (:class:`PublicStatus`: the recorded ones plus what the dates say) have
one look each, defined once in :data:`LOOKS`: a Chinese and an English label, a tone (its colour)
and an icon, so the query, the verdict page, the holder's pages, the PDF and the API's
``status_label`` all say the same word. Only a valid certificate is green (decision 0021).

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


class Tone(StrEnum):
    """A state's colour: the CSS class ``state-<tone>``. Only ``good`` is green."""

    GOOD = "good"  # green: the certificate may be relied on today
    VOID = "void"  # red: it never again proves a qualification
    HELD = "held"  # amber: not usable now (suspended, a newer version exists)
    PENDING = "pending"  # blue-grey: not yet valid


class PublicStatus(StrEnum):
    """What a certificate is on a given day, as shown to people (:func:`lifecycle.public_status`)."""

    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    LAPSED = "lapsed"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"
    SUPERSEDED = "superseded"

    @property
    def look(self) -> Look:
        return LOOKS[self]


@dataclass(frozen=True)
class Look:
    """How one visible state is shown everywhere. ``icon`` is a text symbol beside the label, so
    the state never rests on colour alone; ``void`` marks a state the PDF stamps 作废."""

    label_zh: str
    label_en: str
    tone: Tone
    icon: str
    void: bool


_P = PublicStatus

LOOKS: Mapping[PublicStatus, Look] = MappingProxyType(
    {
        _P.VALID: Look("有效", "Valid", Tone.GOOD, "✓", void=False),
        _P.NOT_YET_VALID: Look("尚未生效", "Not yet valid", Tone.PENDING, "◷", void=False),
        _P.EXPIRED: Look("已过期", "Expired", Tone.VOID, "✕", void=True),
        _P.LAPSED: Look(
            "已失效（未按期复审）", "Lapsed (review missed)", Tone.VOID, "✕", void=True
        ),
        _P.REVOKED: Look("已撤销", "Revoked", Tone.VOID, "✕", void=True),
        _P.CANCELLED: Look("已注销", "Cancelled", Tone.VOID, "✕", void=True),
        _P.SUSPENDED: Look("暂扣", "Suspended", Tone.HELD, "‖", void=False),
        _P.SUPERSEDED: Look(
            "已被新版本替代", "Superseded by a newer version", Tone.HELD, "↻", void=True
        ),
    }
)


class CertificateState(StrEnum):
    """The values of ``certificates.state``."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"

    @property
    def label_zh(self) -> str:
        return LOOKS[RECORDED_LOOKS[self]].label_zh

    @property
    def label_en(self) -> str:
        return LOOKS[RECORDED_LOOKS[self]].label_en.lower()

    @property
    def status_code(self) -> StatusCode:
        """The value the current credential's status-list entry holds in this state."""
        return STATUS_CODES[self]


class CertificateAct(StrEnum):
    """What an officer, the holder or a review decision does to a certificate."""

    REVOKE = "revoke"  # 撤销
    CANCEL = "cancel"  # 注销
    SUSPEND = "suspend"  # 暂扣
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

# The visible state each recorded one is shown as; an active certificate's day decides the rest.
RECORDED_LOOKS: Mapping[CertificateState, PublicStatus] = MappingProxyType(
    {
        _S.ACTIVE: _P.VALID,
        _S.SUSPENDED: _P.SUSPENDED,
        _S.REVOKED: _P.REVOKED,
        _S.CANCELLED: _P.CANCELLED,
        _S.LAPSED: _P.LAPSED,
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
        _A.SUSPEND: ("暂扣", "suspended"),
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
