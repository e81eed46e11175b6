from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.certificates import (
    CertificateDates,
    StatusCode,
    certificate_dates,
    certificate_number,
    exp_instant,
    issuer_code,
    issuer_division,
    own_numbers,
    superseded,
)
from opcert.domain.errors import FieldError
from opcert.domain.rules import MEM19, ORDER30


def test_an_order_30_certificate_of_20_november_2026_is_due_for_review_after_3_years():
    dates = certificate_dates(ORDER30, date(2026, 11, 20))
    assert dates == CertificateDates(date(2026, 11, 20), date(2032, 11, 20), date(2029, 11, 20))


def test_a_mem_19_certificate_has_no_review_date():
    dates = certificate_dates(MEM19, date(2026, 11, 20))
    assert dates == CertificateDates(date(2026, 11, 20), date(2032, 11, 20), None)


def test_an_extended_order_30_review_falls_at_the_end_of_validity():
    dates = certificate_dates(ORDER30, date(2020, 3, 1), extended_review=True)
    assert dates.review_due == date(2026, 3, 1) == dates.valid_to


def test_extended_review_changes_nothing_under_mem_19():
    assert certificate_dates(MEM19, date(2027, 1, 5), extended_review=True).review_due is None


def test_a_certificate_issued_on_29_february_ends_on_28_february():
    dates = certificate_dates(ORDER30, date(2024, 2, 29))
    assert (dates.valid_to, dates.review_due) == (date(2030, 2, 28), date(2027, 2, 28))


def test_the_certificate_number_is_t_followed_by_the_resident_id():
    assert certificate_number("11010519491231002x", "SO") == "T11010519491231002X"


def test_the_safety_manager_certificate_number_is_a_followed_by_the_resident_id():
    assert certificate_number("11010519491231002x", "SM") == "A11010519491231002X"


def test_a_certificate_type_other_than_so_or_sm_is_refused_naming_the_field():
    with pytest.raises(FieldError) as caught:
        certificate_number("11010519491231002X", "XX")
    assert (caught.value.field, caught.value.code) == ("certificate_type", "CERTIFICATE_TYPE")


def test_a_person_owns_the_numbers_of_both_certificate_types_and_no_other():
    assert own_numbers(" 11010519491231002x") == {"T11010519491231002X", "A11010519491231002X"}
    assert own_numbers("not an id") == frozenset()


@given(st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_an_issuer_code_is_cn_and_the_division_and_gives_the_division_back(division):
    assert issuer_code(division) == "CN-" + division
    assert issuer_division(issuer_code(division)) == division


def test_a_new_version_supersedes_an_entry_in_force_and_keeps_a_void_or_suspended_one():
    assert [superseded(code) for code in StatusCode] == [
        StatusCode.SUPERSEDED,
        StatusCode.VOID,
        StatusCode.SUPERSEDED,
        StatusCode.SUSPENDED,
    ]


@pytest.mark.parametrize(
    "text", ["", "T11010519491231002X", "1101051949123100", "11010519491231002Y"]
)
def test_a_certificate_number_needs_an_18_character_id(text):
    with pytest.raises(FieldError) as caught:
        certificate_number(text, "SO")
    assert caught.value.code == "ID_FORMAT"


def test_a_certificate_valid_to_20_november_2032_expires_at_midnight_beijing_time():
    assert exp_instant(date(2032, 11, 20)) == datetime(2032, 11, 20, 16, 0, tzinfo=UTC)


def test_status_codes_are_the_two_bit_values_of_the_status_list():
    assert [int(c) for c in StatusCode] == [0, 1, 2, 3]
    assert StatusCode(1) is StatusCode.VOID


@given(
    st.sampled_from([ORDER30, MEM19]),
    st.dates(min_value=date(2010, 7, 1), max_value=date(2100, 12, 31)),
)
def test_validity_is_six_years_inclusive_and_review_falls_inside_it(rules, issued):
    dates = certificate_dates(rules, issued)
    assert dates.valid_from == issued
    assert dates.valid_to.year == issued.year + 6
    assert dates.review_due is None or issued < dates.review_due < dates.valid_to
    assert exp_instant(dates.valid_to).date() > dates.valid_to
