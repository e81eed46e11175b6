"""The certificate's state table, checked pair by pair against the moves written out here by hand
(Order 30 Arts. 29-30 and the credential spec's status values), and walked at random."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.certificate_states import (
    STATUS_CODES,
    CertificateAct,
    CertificateState,
    allowed,
    next_state,
)
from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict

S, A = CertificateState, CertificateAct

# Where each allowed (state, act) leads; every pair not listed is refused.
EXPECTED: dict[tuple[CertificateState, CertificateAct], CertificateState] = {
    (S.ACTIVE, A.REVOKE): S.REVOKED,
    (S.SUSPENDED, A.REVOKE): S.REVOKED,
    (S.LAPSED, A.REVOKE): S.REVOKED,
    (S.ACTIVE, A.CANCEL): S.CANCELLED,
    (S.SUSPENDED, A.CANCEL): S.CANCELLED,
    (S.REVOKED, A.CANCEL): S.CANCELLED,
    (S.LAPSED, A.CANCEL): S.CANCELLED,
    (S.ACTIVE, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.REINSTATE): S.ACTIVE,
    (S.ACTIVE, A.LAPSE): S.LAPSED,
    (S.SUSPENDED, A.LAPSE): S.LAPSED,
    (S.ACTIVE, A.SUPERSEDE): S.ACTIVE,
    (S.ACTIVE, A.CORRECT): S.ACTIVE,
    (S.ACTIVE, A.REPLACE): S.ACTIVE,
}
PAIRS = list(itertools.product(S, A))


def test_the_states_are_the_values_the_certificates_table_already_holds():
    assert sorted(s.value for s in S) == ["active", "cancelled", "lapsed", "revoked", "suspended"]


def test_each_state_publishes_the_status_list_value_of_the_credential_spec():
    assert dict(STATUS_CODES) == {
        S.ACTIVE: StatusCode.IN_FORCE,
        S.SUSPENDED: StatusCode.SUSPENDED,
        S.REVOKED: StatusCode.VOID,
        S.CANCELLED: StatusCode.VOID,
        S.LAPSED: StatusCode.VOID,
    }
    assert all(s.status_code is STATUS_CODES[s] for s in S)


@pytest.mark.parametrize(
    ("state", "act"),
    [pair for pair in PAIRS if pair in EXPECTED],
    ids=[f"{s.value}-{a.value}" for s, a in PAIRS if (s, a) in EXPECTED],
)
def test_an_allowed_act_leads_to_the_agreed_state(state, act):
    assert allowed(state, act)
    assert next_state(state, act) is EXPECTED[(state, act)]
    assert next_state(state.value, act) is EXPECTED[(state, act)]  # as read from the row


@pytest.mark.parametrize(
    ("state", "act"),
    [pair for pair in PAIRS if pair not in EXPECTED],
    ids=[f"{s.value}-{a.value}" for s, a in PAIRS if (s, a) not in EXPECTED],
)
def test_a_refused_act_raises_a_conflict_naming_the_state_and_the_act_in_both_languages(state, act):
    assert not allowed(state, act)
    with pytest.raises(Conflict) as refused:
        next_state(state, act)
    error = refused.value
    assert error.code == "ACT_NOT_ALLOWED"
    assert f"「{state.label_zh}」" in error.message_zh
    assert error.message_zh.endswith(f"不能{act.label_zh}")
    assert f"is {state.label_en};" in error.message_en
    assert error.message_en.endswith(f"cannot be {act.label_en}")


def test_every_pair_is_either_allowed_or_refused_and_all_forty_are_covered():
    assert len(PAIRS) == len(S) * len(A) == 40
    assert sum(allowed(s, a) for s, a in PAIRS) == len(EXPECTED)


def test_the_bug_of_issue_15_a_cancelled_certificate_cannot_be_revoked():
    with pytest.raises(Conflict, match="证书状态为「已注销」，不能撤销"):
        next_state("cancelled", A.REVOKE)


def test_a_value_that_is_no_state_is_a_programming_error_not_a_conflict():
    with pytest.raises(ValueError):
        next_state("expired", A.REVOKE)  # expiry is computed from the dates, never recorded


@given(st.lists(st.sampled_from(list(A)), max_size=30))
def test_any_sequence_of_acts_keeps_a_known_state_and_a_cancellation_is_final(acts):
    state = S.ACTIVE
    for act in acts:
        before = state
        if allowed(state, act):
            state = next_state(state, act)
        else:
            with pytest.raises(Conflict):
                next_state(state, act)
        assert state in S
        if before is S.CANCELLED:
            assert state is S.CANCELLED
        if before is S.REVOKED:
            assert state in (S.REVOKED, S.CANCELLED)
