"""Rule sets: the regulation in force, chosen by date.

``ORDER30`` is 原国家安全监管总局令第30号 (2010, amended 2013/2015), in force
until 2026-05-31. ``MEM19`` is 应急管理部令第19号, in force from 2026-06-01.
Only the press summary of Order 19 could be retrieved (domain-reference
section 7.1), so where it is silent MEM19 keeps Order 30's value and the
field's comment says so. Every exam, application and certificate records the
rule set it was handled under; nothing here reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opcert.domain.education import Education, parse_education
from opcert.domain.errors import NotFound

__all__ = [
    "MEM19",
    "ORDER30",
    "PLATFORM_TARGET_WORKDAYS",
    "SWITCH_DATE",
    "Education",
    "RuleSet",
    "RuleSetId",
    "parse_education",
    "rule_set",
    "rule_set_for",
]

SWITCH_DATE = date(2026, 6, 1)

# The platform's own service target for a complete application: decided within
# one working day, far inside the statutory 5 + 20 working days.
PLATFORM_TARGET_WORKDAYS = 1

_ITEM_CODE = re.compile(r"^(\d+)\.\d+$")


class RuleSetId(StrEnum):
    """Identifier of a rule set, as stored and as carried in credentials (``rs``)."""

    ORDER30 = "ORDER30"
    MEM19 = "MEM19"


@dataclass(frozen=True)
class RuleSet:
    """The parameters of one regulation that the platform's rules depend on.

    ``None`` for an attempt limit means unlimited; ``None`` for a review
    interval means the rule set requires no review (复审).
    """

    id: RuleSetId
    name_zh: str
    name_en: str
    in_force_from: date | None
    in_force_until: date | None
    max_theory_attempts: int | None
    max_practical_attempts: int | None
    # "retrain" (重新培训) or "reregister" (重新报名, theory again, no training).
    after_attempts_exhausted: str
    review_interval_years: int | None
    extended_review_interval_years: int | None
    # Minimum education for every item, and exceptions by category code.
    default_education: Education
    education_by_category: tuple[tuple[str, Education], ...]
    pass_mark: int = 80
    score_validity_months: int = 12
    validity_years: int = 6
    # Order 30 Art. 30(4)(5): false information, deception or bribery.
    revocation_ban_years: int = 3
    acceptance_deadline_workdays: int = 5
    decision_deadline_workdays: int = 20

    def required_education(self, item_code: str) -> Education:
        """Minimum education to apply for the exam in ``item_code`` (e.g. ``"9.3"``).

        Raises ``ValueError`` for a string that is not shaped like an item
        code; whether the item exists is the catalogue's question.
        """
        match = _ITEM_CODE.match(item_code.strip())
        if match is None:
            raise ValueError(f"not an operation item code: {item_code!r}")
        return dict(self.education_by_category).get(match.group(1), self.default_education)

    def in_force_on(self, on: date) -> bool:
        """Whether ``on`` lies in the period this rule set was in force."""
        starts = self.in_force_from is None or self.in_force_from <= on
        return starts and (self.in_force_until is None or on <= self.in_force_until)


ORDER30 = RuleSet(
    id=RuleSetId.ORDER30,
    name_zh="特种作业人员安全技术培训考核管理规定（原国家安全监管总局令第30号）",
    name_en="Provisions on Special Operation Personnel Training and Assessment (SAWS Order 30)",
    in_force_from=date(2010, 7, 1),
    in_force_until=date(2026, 5, 31),
    # The exam plus one re-exam (补考), for each part; then re-training.
    max_theory_attempts=2,
    max_practical_attempts=2,
    after_attempts_exhausted="retrain",
    review_interval_years=3,
    # Art. 21: ten years' continuous, compliant work extends review to six years.
    extended_review_interval_years=6,
    default_education=Education.JUNIOR_HIGH,
    # Hazardous chemicals: senior high by Art. 4; coal mines: by provincial practice.
    education_by_category=(("5", Education.SENIOR_HIGH), ("9", Education.SENIOR_HIGH)),
)

MEM19 = RuleSet(
    id=RuleSetId.MEM19,
    name_zh="特种作业人员安全技术培训考核管理规定（应急管理部令第19号）",
    name_en="Provisions on Special Operation Personnel Training and Assessment (MEM Order 19)",
    in_force_from=SWITCH_DATE,
    in_force_until=None,
    max_theory_attempts=None,
    max_practical_attempts=5,
    after_attempts_exhausted="reregister",
    # 3-yearly review replaced by renewal (换证) at the end of the 6 years.
    review_interval_years=None,
    extended_review_interval_years=None,
    default_education=Education.JUNIOR_HIGH,
    # The reform drops the junior-high requirement for electrical work, welding
    # and thermal cutting, and work at height "等" (etc.); the full list is in
    # the regulation text, which could not be retrieved. Only the three named
    # categories are relaxed; the others keep Order 30's requirement until the
    # text is checked.
    education_by_category=(
        ("1", Education.NONE),
        ("2", Education.NONE),
        ("3", Education.NONE),
        ("5", Education.SENIOR_HIGH),
        ("9", Education.SENIOR_HIGH),
    ),
)

_BY_ID: dict[RuleSetId, RuleSet] = {r.id: r for r in (ORDER30, MEM19)}


def rule_set_for(on: date) -> RuleSet:
    """The rule set in force on ``on``: ORDER30 up to and including 2026-05-31,
    MEM19 from 2026-06-01.

    Dates before Order 30 took effect (2010-07-01) also get ORDER30, the
    earliest rule set modelled, so that migrated legacy records have one.
    """
    return MEM19 if on >= SWITCH_DATE else ORDER30


def rule_set(id: str | RuleSetId) -> RuleSet:
    """The rule set with this identifier. Raises ``NotFound`` (``RULE_SET_UNKNOWN``)."""
    try:
        return _BY_ID[RuleSetId(id)]
    except ValueError:
        raise NotFound(
            "RULE_SET_UNKNOWN",
            f"没有名为“{id}”的规则集。",
            f"There is no rule set '{id}'.",
        ) from None
