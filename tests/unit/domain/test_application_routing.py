"""The routing rule shared by intake and officer approval (domain/applications.py)."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.applications import (
    POLICY_REASON,
    ApplicationStatus,
    approval,
    is_clean,
    route,
    routed,
)
from opcert.domain.clock import SHANGHAI
from opcert.domain.errors import IllegalTransition

S = ApplicationStatus
AT = datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI)
CHECK_REASONS = st.sampled_from(
    ["NAME_MISMATCH", "TOO_OLD", "BANNED", "HOLDS_VALID_CERTIFICATE", "ATTEMPTS_EXCEEDED"]
)
FAILED = st.lists(CHECK_REASONS, max_size=4, unique=True)


@given(failed=FAILED, auto=st.booleans())
def test_an_application_is_issued_at_once_only_when_nothing_failed_and_the_authority_approves(
    failed: list[str], auto: bool
) -> None:
    assert route(failed, authority_auto_approves=auto).issue == (not failed and auto)


@given(failed=FAILED, auto=st.booleans())
def test_an_application_sent_to_review_always_says_why(failed: list[str], auto: bool) -> None:
    routing = route(failed, authority_auto_approves=auto)
    if routing.issue:
        assert routing.reasons == ()
    else:
        assert routing.reasons == (tuple(failed) or (POLICY_REASON,))


@given(failed=FAILED)
def test_an_officer_may_batch_approve_exactly_what_an_auto_approving_authority_would_issue(
    failed: list[str],
) -> None:
    in_review = route(failed, authority_auto_approves=False)
    assert is_clean(in_review.reasons) == route(failed, authority_auto_approves=True).issue


@given(failed=FAILED, auto=st.booleans())
def test_routing_moves_leave_checking_for_issued_or_in_review_as_the_rule_says(
    failed: list[str], auto: bool
) -> None:
    routing = route(failed, authority_auto_approves=auto)
    moves = routed(routing, at=AT, actor="system:auto-check")
    assert moves[0].from_status is S.CHECKING
    assert moves[-1].to_status is (S.ISSUED if routing.issue else S.IN_REVIEW)
    assert all(move.reason for move in moves[:1])


@pytest.mark.parametrize("start", [S.CHECKING, S.IN_REVIEW])
def test_an_approval_is_approved_then_issued_in_the_same_act(start: S) -> None:
    moves = approval(start, at=AT, actor="officer:440400-007", reason="ok")
    assert [(m.from_status, m.to_status) for m in moves] == [
        (start, S.APPROVED),
        (S.APPROVED, S.ISSUED),
    ]
    assert moves[0].reason == "ok"
    assert {m.at for m in moves} == {AT}


@pytest.mark.parametrize("start", [S.FILED, S.APPROVED, S.REJECTED, S.ISSUED, S.WITHDRAWN])
def test_an_application_outside_checking_or_review_cannot_be_approved(start: S) -> None:
    with pytest.raises(IllegalTransition):
        approval(start, at=AT, actor="officer:440400-007", reason=None)


def test_the_review_reason_tells_an_officer_whether_a_check_failed_or_the_policy_asks() -> None:
    assert route(["BANNED"], authority_auto_approves=True).why.startswith("需人工审核")
    assert route([], authority_auto_approves=False).why.startswith("发证机关要求人工审批")
    assert route([], authority_auto_approves=True).why.startswith("自动核验全部通过")
