"""The name check: an exam result may register a person or match the record, never rename it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.checks import CheckOutcome, name_check

names = st.text(alphabet="张王李赵陈刘杨黄周吴·", min_size=1, max_size=8)


@given(names)
def test_a_first_registration_passes_whatever_the_name(submitted):
    assert name_check(None, submitted).outcome is CheckOutcome.PASSED


@given(names)
def test_the_recorded_name_itself_passes(name):
    assert name_check(name, name).outcome is CheckOutcome.PASSED


@given(names, names)
def test_any_other_name_fails_with_name_mismatch_and_does_not_reveal_the_record(
    recorded, submitted
):
    result = name_check(recorded, submitted)
    if recorded == submitted:
        assert not result.failed
        return
    assert result.failed and result.reason == "NAME_MISMATCH"
    assert recorded not in result.message_zh and recorded not in result.message_en
