"""Exam scoring and what a candidate may do after failing.

An exam has two parts, theory (安全技术理论考试) and practical (实际操作考试),
each scored out of 100; theory must be passed before the practical counts.
A passing result stays usable for 12 months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opcert.domain.periods import add_months
from opcert.domain.rules import RuleSet

SCORE_VALIDITY_MONTHS = 12


@dataclass(frozen=True)
class ExamOutcome:
    """The verdict on a pair of scores, with a message for the candidate."""

    passed: bool
    code: str
    message_zh: str
    message_en: str


def _check_score(name: str, score: float) -> None:
    if math.isnan(score) or not 0 <= score <= 100:
        raise ValueError(f"{name} score must be between 0 and 100, got {score!r}")


def score_exam(rules: RuleSet, theory: float, practical: float | None) -> ExamOutcome:
    """Judge an exam: ``PASSED``, ``THEORY_FAILED``, ``PRACTICAL_FAILED`` or
    ``PRACTICAL_MISSING`` (theory passed, no practical score yet).

    A score passes at or above ``rules.pass_mark``. When theory fails the
    practical score is not looked at. Raises ``ValueError`` for a score
    outside 0..100 (input validation belongs to the caller).
    """
    _check_score("theory", theory)
    if practical is not None:
        _check_score("practical", practical)
    mark = rules.pass_mark
    if theory < mark:
        return ExamOutcome(
            False,
            "THEORY_FAILED",
            f"理论考试 {theory:g} 分，未达到 {mark} 分的合格线。",
            f"Theory exam {theory:g} points, below the pass mark of {mark}.",
        )
    if practical is None:
        return ExamOutcome(
            False,
            "PRACTICAL_MISSING",
            "理论考试已合格，尚无实际操作考试成绩。",
            "Theory exam passed; no practical exam score yet.",
        )
    if practical < mark:
        return ExamOutcome(
            False,
            "PRACTICAL_FAILED",
            f"实际操作考试 {practical:g} 分，未达到 {mark} 分的合格线。",
            f"Practical exam {practical:g} points, below the pass mark of {mark}.",
        )
    return ExamOutcome(
        True,
        "PASSED",
        f"考试合格（理论 {theory:g} 分，实际操作 {practical:g} 分）。",
        f"Exam passed (theory {theory:g}, practical {practical:g}).",
    )


class NextStep(StrEnum):
    """What a candidate does after a failed attempt."""

    RETAKE_THEORY = "retake_theory"
    RETAKE_PRACTICAL = "retake_practical"
    RETRAIN = "retrain"
    REREGISTER = "reregister"


_MESSAGES: dict[NextStep, tuple[str, str]] = {
    NextStep.RETAKE_THEORY: (
        "可以再次参加理论考试。",
        "You may take the theory exam again.",
    ),
    NextStep.RETAKE_PRACTICAL: (
        "理论考试成绩保留，可以再次参加实际操作考试。",
        "Your theory result stands; you may take the practical exam again.",
    ),
    NextStep.RETRAIN: (
        "考试和补考均未通过，须重新参加培训后再申请考试。",
        "The exam and the re-exam were both failed; you must retrain before applying again.",
    ),
    NextStep.REREGISTER: (
        "实际操作考试次数已用完，须重新报名并重新参加理论考试（无须重新培训）。",
        "All practical exam attempts are used; register again and retake the theory exam "
        "(no new training is required).",
    ),
}


def next_step_message(step: NextStep) -> tuple[str, str]:
    """The (Chinese, English) explanation of a next step."""
    return _MESSAGES[step]


def _check_counts(theory: int, practical: int) -> None:
    if theory < 0 or practical < 0:
        raise ValueError("attempt counts cannot be negative")


def _exhausted(limit: int | None, failed: int) -> bool:
    return limit is not None and failed >= limit


def attempts_allowed(
    rules: RuleSet, *, failed_theory_attempts: int, failed_practical_attempts: int
) -> bool:
    """Whether another exam attempt is allowed before retraining (ORDER30) or
    re-registration (MEM19). Counts are failed attempts in the current
    registration. Raises ``ValueError`` for a negative count.
    """
    _check_counts(failed_theory_attempts, failed_practical_attempts)
    return not (
        _exhausted(rules.max_theory_attempts, failed_theory_attempts)
        or _exhausted(rules.max_practical_attempts, failed_practical_attempts)
    )


def next_step_after_failure(
    rules: RuleSet, *, failed_theory_attempts: int, failed_practical_attempts: int
) -> NextStep:
    """What follows a failed attempt; the counts include the attempt just failed.

    ORDER30: each part may be retaken once (补考); failing the retake means
    re-training. MEM19: theory may be retaken without limit; after the fifth
    failed practical the candidate registers again and retakes theory, with no
    training. Since theory comes first, any failed practical means theory was
    passed and the practical is what is retaken. Raises ``ValueError`` when
    both counts are zero (nothing has failed) or either is negative.
    """
    _check_counts(failed_theory_attempts, failed_practical_attempts)
    if failed_theory_attempts == 0 and failed_practical_attempts == 0:
        raise ValueError("next_step_after_failure needs at least one failed attempt")
    if not attempts_allowed(
        rules,
        failed_theory_attempts=failed_theory_attempts,
        failed_practical_attempts=failed_practical_attempts,
    ):
        return NextStep(rules.after_attempts_exhausted)
    if failed_practical_attempts > 0:
        return NextStep.RETAKE_PRACTICAL
    return NextStep.RETAKE_THEORY


def score_valid_until(exam_date: date) -> date:
    """Last day (inclusive) on which a passing result of ``exam_date`` may be
    used to apply for a certificate: the same day 12 months later."""
    return add_months(exam_date, SCORE_VALIDITY_MONTHS)
