"""Who is calling: an exam institution by API key, an officer by token, or the anonymous public.

An officer's reach has two parts, both checked in the services (docs/api.md, "Officers"):

- **Scope.** Every object an officer can see or act on belongs to one issuing authority: a
  certificate to the authority that issued it, an application to the authority it is filed with,
  an identity review to the authority the holder chose, a clue to the authority that issues for
  the division of the reported ID number. The officer's division covers an authority when the
  authority's division lies within it: 000000 covers all, 440000 every authority of Guangdong,
  440400 only Zhuhai's own. Outside the scope an object does not exist for the officer: the
  service raises the same ``NotFound`` an unknown id gets, and lists leave it out.
- **Role.** ``PERMISSIONS`` says which actions each role may take; anything else is ``Forbidden``
  (403), checked before any object is looked up, so a refusal never reveals an object.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from opcert.domain.certificates import issuer_code, issuer_division
from opcert.domain.errors import Forbidden, NotFound

ROLES = ("approver", "inspector", "analyst", "admin")
NATIONAL = "000000"


class Action(StrEnum):
    """What an officer may do; the names are used in ``Forbidden`` errors and in docs/api.md."""

    READ_APPLICATIONS = "applications.read"
    DECIDE_APPLICATIONS = "applications.decide"
    READ_CERTIFICATES = "certificates.read"
    REVOKE_CERTIFICATES = "certificates.revoke"
    READ_IDENTITY_REVIEWS = "identity_reviews.read"
    DECIDE_IDENTITY_REVIEWS = "identity_reviews.decide"
    READ_CLUES = "clues.read"
    CLEAR_HOLDS = "holds.clear"  # --- holds --- (approver, admin: a decision)
    # --- letters ---
    READ_LETTERS = "letters.read"
    ISSUE_LETTERS = "letters.issue"
    REPLY_LETTERS = "letters.reply"
    # --- pages ---
    READ_ANALYTICS = "analytics.read"
    # --- sharing ---
    READ_SHARING = "sharing.read"
    MANAGE_SUBSCRIBERS = "subscribers.manage"


ACTION_NAMES = {
    Action.READ_APPLICATIONS: ("查看申请", "read applications"),
    Action.DECIDE_APPLICATIONS: ("审批申请", "decide applications"),
    Action.READ_CERTIFICATES: ("检索证书", "search certificates"),
    Action.REVOKE_CERTIFICATES: ("撤销证书", "revoke certificates"),
    Action.READ_IDENTITY_REVIEWS: ("查看人工身份审核", "read identity reviews"),
    Action.DECIDE_IDENTITY_REVIEWS: ("决定人工身份审核", "decide identity reviews"),
    Action.READ_CLUES: ("查看假证线索", "read fake-certificate clues"),
    Action.CLEAR_HOLDS: ("解除考试数据预警暂停", "release exam-data holds"),  # --- holds ---
    # --- pages ---
    Action.READ_ANALYTICS: ("查看考试数据分析", "read the exam-data analysis"),
}
_DECIDER = frozenset(Action)
PERMISSIONS: dict[str, frozenset[Action]] = {
    "approver": _DECIDER,
    "admin": _DECIDER,
    # enforcement staff check certificates and follow fake-certificate clues; they decide nothing
    # and never see the ID-card photos of identity reviews
    "inspector": frozenset({Action.READ_APPLICATIONS, Action.READ_CERTIFICATES, Action.READ_CLUES}),
    # analysts watch exam and issuance data; no person look-ups, photos or reporters' contacts
    # (--- pages ---: and the exam-data analysis, which is aggregates and signals on units,
    # never a person; inspectors enforce on the ground and do not get it, decision 0026)
    "analyst": frozenset({Action.READ_APPLICATIONS, Action.READ_ANALYTICS}),
}
DECIDING_ROLES = frozenset(
    role for role, allowed in PERMISSIONS.items() if Action.DECIDE_APPLICATIONS in allowed
)

# --- letters ---
# Reminder letters (decision 0027): the ministry's analysts and admins issue them (national
# officers only, checked in the service); a province's approvers and admins reply; analysts
# read them too. Inspectors neither see nor answer them.
ACTION_NAMES.update(
    {
        Action.READ_LETTERS: ("查看提醒函", "read reminder letters"),
        Action.ISSUE_LETTERS: ("发出提醒函", "issue reminder letters"),
        Action.REPLY_LETTERS: ("回复提醒函", "reply to reminder letters"),
    }
)
PERMISSIONS["approver"] = PERMISSIONS["approver"] - {Action.ISSUE_LETTERS}
PERMISSIONS["analyst"] = PERMISSIONS["analyst"] | {Action.READ_LETTERS, Action.ISSUE_LETTERS}

# --- sharing ---
# Data sharing (issue 17): every role reads the sharing page (subscribers, their grants and
# delivery figures; personal data on it is masked for roles that may not read certificates,
# services/sharing/officers.py); only admins add, disable, enable and rotate subscribers and
# redeliver, and only at national or province level (checked in the service).
ACTION_NAMES.update(
    {
        Action.READ_SHARING: ("查看数据共享", "read data sharing"),
        Action.MANAGE_SUBSCRIBERS: ("管理数据共享订阅方", "manage data-sharing subscribers"),
    }
)
PERMISSIONS["approver"] = PERMISSIONS["approver"] - {Action.MANAGE_SUBSCRIBERS}
PERMISSIONS["inspector"] = PERMISSIONS["inspector"] | {Action.READ_SHARING}
PERMISSIONS["analyst"] = PERMISSIONS["analyst"] | {Action.READ_SHARING}


@dataclass(frozen=True)
class InstitutionPrincipal:
    id: int
    code: str
    name: str

    @property
    def actor(self) -> str:
        return f"institution:{self.code}"


def authority_division(authority_code: str) -> str:
    """``CN-440400`` → ``440400``."""
    return issuer_division(authority_code)


@dataclass(frozen=True)
class OfficerPrincipal:
    id: int
    username: str
    region: str
    role: str

    @property
    def actor(self) -> str:
        return f"officer:{self.username}"

    @property
    def region_prefix(self) -> str:
        """Officers see their division and everything below it: 440000 → "44", 440400 → "4404"."""
        if self.region == NATIONAL:
            return ""
        if self.region.endswith("0000"):
            return self.region[:2]
        if self.region.endswith("00"):
            return self.region[:4]
        return self.region

    @property
    def authority_prefix(self) -> str:
        """The prefix of the authority codes this officer covers: ``CN-4404`` for 440400, and
        empty (no filter) for a national officer."""
        return issuer_code(self.region_prefix) if self.region_prefix else ""

    def covers(self, region: str | None) -> bool:
        """Whether a six-digit division lies within this officer's division (None: national only)."""
        if region is None:
            return self.region_prefix == ""
        return region.startswith(self.region_prefix)

    def covers_authority(self, authority_code: str) -> bool:
        return self.covers(authority_division(authority_code))

    def require_scope(self, authority_code: str, unknown: NotFound) -> None:
        """Raise ``unknown`` (the error an unknown id gets) when the object's authority lies
        outside this officer's division: its existence is not revealed."""
        if not self.covers_authority(authority_code):
            raise unknown

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())

    def require(self, action: Action) -> None:
        """Raise ``Forbidden`` (``ROLE_FORBIDDEN``) when the role may not take ``action``."""
        if not self.may(action):
            zh, en = ACTION_NAMES[action]
            raise Forbidden(
                "ROLE_FORBIDDEN",
                f"角色「{self.role}」无权{zh}",
                f"role {self.role!r} may not {en}",
            )
