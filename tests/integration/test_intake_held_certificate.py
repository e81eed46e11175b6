"""Intake's "already holds a valid certificate" check reads the certificate's status on the day,
from the state table and the dates, not the recorded state alone (issue 15, item 7a)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import reviews
from opcert.services.registry import parties as registry
from opcert.services.verification import query as certificates
from tests.integration.builders import make_result
from tests.integration.lifecycle_helpers import at, issue_on


def _pass_again(ctx, clock, world, row: dict, day: date):
    """The same person passes the same item again; the result is filed on ``day``."""
    clock.set(at(day))
    again = make_result(
        id_number=row["id_number"],
        name=row["name"],
        item=row["item"],
        exam_date=(day - timedelta(days=1)).isoformat(),
    )
    [outcome] = submit_results(ctx, world.zhuhai, [again])
    return outcome


def _reasons(outcome) -> list[str]:
    return [r["reason"] for r in outcome.reasons]


def test_a_holder_whose_certificate_lapsed_for_a_missed_review_is_issued_again_on_passing(
    ctx, clock, world
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))  # review due 2025-03-10
    outcome = _pass_again(ctx, clock, world, row, date(2025, 6, 10))
    assert (outcome.outcome, outcome.certificate_no) == ("issued", number), outcome
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert (shown["status"], shown["valid_from"]) == ("valid", "2025-06-10")


def test_a_holder_whose_certificate_expired_is_issued_again_on_passing(ctx, clock, world):
    number, _, row = issue_on(ctx, clock, world, date(2023, 9, 1))  # no review needed (MEM19)
    outcome = _pass_again(ctx, clock, world, row, date(2029, 9, 3))
    assert (outcome.outcome, outcome.certificate_no) == ("issued", number), outcome


def test_a_holder_with_a_certificate_valid_today_goes_to_review_as_already_certified(
    ctx, clock, world
):
    _, _, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    outcome = _pass_again(ctx, clock, world, row, date(2025, 3, 10))  # the due date itself
    assert outcome.outcome == "in_review"
    assert "ALREADY_CERTIFIED" in _reasons(outcome)


@pytest.fixture
def trainer(ctx, world) -> str:
    registry.add_institution(
        ctx, code="TRAIN-ZH", name="珠海市安全培训中心", region="440402", kind="training"
    )
    return "TRAIN-ZH"


def test_a_review_filed_in_its_window_and_undecided_keeps_the_certificate_valid_for_intake(
    ctx, clock, world, trainer
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    clock.set(at(date(2025, 3, 10)))
    reviews.apply_for_review(ctx, number, item, training_hours=8, training_institution=trainer)
    outcome = _pass_again(ctx, clock, world, row, date(2025, 3, 20))
    assert outcome.outcome == "in_review"
    assert "ALREADY_CERTIFIED" in _reasons(outcome)
