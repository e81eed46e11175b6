"""Status on any day, from dates alone: properties over every issue date and every day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.certificates import StatusCode, certificate_dates
from opcert.domain.lifecycle import (
    CertificateFacts,
    PublicStatus,
    holds_valid_certificate,
    lapse_cutoff,
    owed_review,
    public_status,
    status_entry,
)
from opcert.domain.rules import SWITCH_DATE, rule_set_for

issue_days = st.dates(min_value=date(2010, 7, 1), max_value=date(2040, 12, 31))
offsets = st.integers(min_value=-30, max_value=7 * 366)


def facts_for(issued: date, state: str = "active", **kw: object) -> CertificateFacts:
    rules = rule_set_for(issued)
    d = certificate_dates(rules, issued)
    return CertificateFacts(
        state, rules.id.value, d.valid_from, d.valid_to, d.review_due, None, **kw
    )  # type: ignore[arg-type]


@given(issue_days, offsets)
def test_a_certificate_lapses_exactly_when_a_review_owed_before_the_switch_has_passed(
    issued: date, offset: int
) -> None:
    facts = facts_for(issued)
    today = issued + timedelta(days=offset)
    status = public_status(facts, today)
    due = facts.review_due
    owed_and_missed = due is not None and due < SWITCH_DATE and due < today
    if today < facts.valid_from:
        assert status is PublicStatus.NOT_YET_VALID
    elif today > facts.valid_to:
        assert status is PublicStatus.EXPIRED
    else:
        assert (status is PublicStatus.LAPSED) == owed_and_missed
        assert status in (PublicStatus.LAPSED, PublicStatus.VALID)


@given(st.dates(min_value=date(2023, 6, 1), max_value=date(2040, 1, 1)), offsets)
def test_a_review_falling_due_on_or_after_the_switch_never_lapses_a_certificate(
    issued: date, offset: int
) -> None:
    facts = facts_for(issued)
    today = issued + timedelta(days=offset)
    assert owed_review(facts) is None
    assert public_status(facts, today) is not PublicStatus.LAPSED


@given(issue_days, offsets)
def test_the_status_entry_is_void_exactly_when_an_active_certificate_in_validity_lapsed(
    issued: date, offset: int
) -> None:
    facts = facts_for(issued)
    today = issued + timedelta(days=offset)
    entry = status_entry(facts, StatusCode.IN_FORCE, today)
    lapsed = facts.review_due is not None and facts.review_due < lapse_cutoff(today)
    assert (entry is StatusCode.VOID) == lapsed
    if facts.valid_from <= today <= facts.valid_to:
        assert (entry is StatusCode.VOID) == (public_status(facts, today) is PublicStatus.LAPSED)


@given(issue_days, offsets, st.sampled_from([StatusCode.SUPERSEDED, StatusCode.SUSPENDED]))
def test_a_recorded_entry_other_than_in_force_is_published_as_recorded(
    issued: date, offset: int, recorded: StatusCode
) -> None:
    facts = facts_for(issued)
    assert status_entry(facts, recorded, issued + timedelta(days=offset)) is recorded


@given(issue_days, offsets)
def test_a_pending_review_application_holds_off_the_lapse(issued: date, offset: int) -> None:
    facts = facts_for(issued, review_pending=True)
    assert public_status(facts, issued + timedelta(days=offset)) is not PublicStatus.LAPSED


@given(issue_days, offsets, st.sampled_from(["revoked", "cancelled", "lapsed", "suspended"]))
def test_recorded_acts_win_over_dates(issued: date, offset: int, state: str) -> None:
    status = public_status(facts_for(issued, state), issued + timedelta(days=offset))
    assert status.value == state


@given(st.dates(), st.dates())
def test_the_lapse_cutoff_never_passes_the_switch_and_never_passes_today(a: date, b: date) -> None:
    assert lapse_cutoff(a) <= SWITCH_DATE and lapse_cutoff(a) <= a
    if a <= b:
        assert lapse_cutoff(a) <= lapse_cutoff(b)


def test_ten_years_of_an_order30_certificate_issued_on_10_march_2022_on_exact_days() -> None:
    facts = facts_for(date(2022, 3, 10))
    assert (facts.review_due, facts.valid_to) == (date(2025, 3, 10), date(2028, 3, 10))
    expected = {
        date(2022, 3, 9): PublicStatus.NOT_YET_VALID,
        date(2022, 3, 10): PublicStatus.VALID,
        date(2025, 3, 10): PublicStatus.VALID,
        date(2025, 3, 11): PublicStatus.LAPSED,
        date(2026, 6, 1): PublicStatus.LAPSED,
        date(2028, 3, 10): PublicStatus.LAPSED,
        date(2028, 3, 11): PublicStatus.EXPIRED,
        date(2032, 3, 10): PublicStatus.EXPIRED,
    }
    assert {day: public_status(facts, day) for day in expected} == expected


def test_a_certificate_issued_on_29_february_2020_owes_its_review_on_28_february_2023() -> None:
    facts = facts_for(date(2020, 2, 29))
    assert (facts.review_due, facts.valid_to) == (date(2023, 2, 28), date(2026, 2, 28))
    assert public_status(facts, date(2023, 2, 28)) is PublicStatus.VALID
    assert public_status(facts, date(2023, 3, 1)) is PublicStatus.LAPSED


def test_a_mem19_certificate_issued_on_the_switch_day_has_no_review_and_ends_six_years_on() -> None:
    facts = facts_for(SWITCH_DATE)
    assert (facts.rule_set, facts.review_due, facts.valid_to) == ("MEM19", None, date(2032, 6, 1))
    assert public_status(facts, date(2032, 6, 1)) is PublicStatus.VALID
    assert public_status(facts, date(2032, 6, 2)) is PublicStatus.EXPIRED


@given(
    issue_days, offsets, st.sampled_from(["active", "suspended", "revoked", "cancelled", "lapsed"])
)
def test_a_holder_holds_a_valid_certificate_only_while_it_is_active_in_force_and_not_lapsed(
    issued: date, offset: int, state: str
) -> None:
    facts, day = facts_for(issued, state), issued + timedelta(days=offset)
    expected = (
        state == "active"
        and day <= facts.valid_to
        and not (facts.review_due is not None and facts.review_due < min(day, SWITCH_DATE))
    )
    assert holds_valid_certificate(facts, day) is expected


def test_a_certificate_recorded_active_but_past_a_missed_review_is_not_held_as_valid() -> None:
    facts = facts_for(date(2022, 3, 10))  # ORDER30: review owed on 2025-03-10
    assert holds_valid_certificate(facts, date(2025, 3, 10))
    assert not holds_valid_certificate(facts, date(2025, 3, 11))
    assert holds_valid_certificate(
        facts_for(date(2022, 3, 10), review_pending=True), date(2025, 3, 11)
    )
