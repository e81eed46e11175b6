import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.applications import (
    TRANSITIONS,
    ApplicationStatus,
    Transition,
    allowed_targets,
    status_label_zh,
    transition,
)
from opcert.domain.clock import SHANGHAI
from opcert.domain.errors import IllegalTransition

S = ApplicationStatus
AT = datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI)


def move(current: S | None, target: S, reason: str | None = None) -> Transition:
    return transition(current, target, at=AT, actor="officer:440400-007", reason=reason)


def test_the_transition_table_is_exactly_the_agreed_one():
    assert dict(TRANSITIONS) == {
        S.FILED: {S.CHECKING, S.WITHDRAWN},
        S.CHECKING: {S.APPROVED, S.IN_REVIEW, S.WITHDRAWN},
        S.IN_REVIEW: {S.APPROVED, S.REJECTED, S.WITHDRAWN},
        S.APPROVED: {S.ISSUED},
        S.REJECTED: set(),
        S.ISSUED: set(),
        S.WITHDRAWN: set(),
    }


def test_statuses_are_stored_as_lower_case_words():
    assert [s.value for s in S] == [
        "filed",
        "checking",
        "in_review",
        "approved",
        "rejected",
        "issued",
        "withdrawn",
    ]


def test_a_clean_application_goes_from_filed_to_issued_without_review():
    path = [None, S.FILED, S.CHECKING, S.APPROVED, S.ISSUED]
    records = [move(a, b) for a, b in itertools.pairwise(path)]
    assert [r.to_status for r in records] == path[1:]
    assert records[0].from_status is None
    assert records[-1].to_status.is_terminal


def test_a_flagged_application_can_be_rejected_with_a_reason():
    record = move(S.IN_REVIEW, S.REJECTED, reason="学历证明与承诺不符")
    assert record.reason == "学历证明与承诺不符"


def test_a_new_application_can_only_be_filed():
    with pytest.raises(IllegalTransition) as caught:
        move(None, S.CHECKING)
    assert "已提交" in caught.value.message_zh
    assert caught.value.code == "ILLEGAL_TRANSITION"


def test_an_illegal_move_names_both_states_in_both_languages():
    with pytest.raises(IllegalTransition) as caught:
        move(S.FILED, S.ISSUED)
    error = caught.value
    assert "已提交" in error.message_zh
    assert "已发证" in error.message_zh
    assert "filed" in error.message_en
    assert "issued" in error.message_en


@pytest.mark.parametrize("terminal", [S.REJECTED, S.ISSUED, S.WITHDRAWN])
def test_nothing_leaves_a_terminal_status(terminal):
    assert terminal.is_terminal
    for target in S:
        with pytest.raises(IllegalTransition):
            move(terminal, target)


def test_an_approved_application_can_no_longer_be_withdrawn():
    with pytest.raises(IllegalTransition):
        move(S.APPROVED, S.WITHDRAWN)


def test_a_naive_time_or_an_empty_actor_is_a_programming_error():
    with pytest.raises(ValueError):
        transition(None, S.FILED, at=datetime(2026, 6, 1, 9, 30), actor="x")
    with pytest.raises(ValueError):
        transition(None, S.FILED, at=AT, actor="  ")


def test_a_transition_survives_a_round_trip_through_json():
    record = move(S.CHECKING, S.IN_REVIEW, reason="身份证地址码不在库中")
    data = record.to_json()
    assert data == {
        "from_status": "checking",
        "to_status": "in_review",
        "at": "2026-06-01T09:30:00+08:00",
        "actor": "officer:440400-007",
        "reason": "身份证地址码不在库中",
    }
    assert Transition.from_json(data) == record
    first = move(None, S.FILED)
    assert Transition.from_json(first.to_json()) == first


@pytest.mark.parametrize(
    "data",
    [
        {"to_status": "filed", "at": "2026-06-01T09:30:00+08:00"},
        {"to_status": "lost", "at": "2026-06-01T09:30:00+08:00", "actor": "a"},
        {"to_status": "filed", "at": "2026-06-01T09:30:00", "actor": "a"},
        {"to_status": "filed", "at": "yesterday", "actor": "a"},
    ],
)
def test_a_malformed_transition_record_is_refused(data):
    with pytest.raises(ValueError):
        Transition.from_json(data)


def test_every_status_has_a_chinese_label():
    assert status_label_zh(S.IN_REVIEW) == "人工审核中"
    assert status_label_zh("issued") == "已发证"
    assert all(s.label_zh and s.label_en for s in S)


@given(st.lists(st.sampled_from(list(S)), max_size=30))
def test_any_sequence_of_requests_only_ever_follows_the_table(targets):
    current: S | None = None
    at = datetime(2026, 6, 1, tzinfo=UTC)
    for target in targets:
        at += timedelta(minutes=1)
        legal = target in allowed_targets(current)
        try:
            record = transition(current, target, at=at, actor="test")
        except IllegalTransition:
            assert not legal
        else:
            assert legal
            assert record.from_status == current
            current = record.to_status
        assert current is None or current in TRANSITIONS
