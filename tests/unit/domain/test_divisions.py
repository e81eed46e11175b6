import pytest

from opcert.domain.divisions import (
    PROVINCE_CODES,
    division_name,
    is_known_division,
    province_name,
)
from opcert.domain.identity import division_name as reexported


def test_a_district_of_a_municipality_reads_city_then_district():
    assert division_name("110105") == "北京市朝阳区"


def test_a_county_reads_province_prefecture_and_county():
    assert division_name("440524") == "广东省汕头市潮阳县"


def test_a_prefecture_code_reads_province_and_prefecture():
    assert division_name("440500") == "广东省汕头市"


def test_a_province_code_reads_as_the_province():
    assert division_name("440000") == "广东省"


def test_hong_kong_is_named_in_simplified_chinese():
    assert division_name("810000") == "香港特别行政区"


def test_a_code_that_changed_name_is_named_as_it_was_in_the_given_year():
    assert division_name("130502", year=2000) == "河北省邢台市桥东区"
    assert division_name("130502", year=2021) == "河北省邢台市襄都区"
    assert division_name("130502") == "河北省邢台市襄都区"


def test_a_county_directly_under_a_province_skips_the_grouping_level():
    assert division_name("429004") == "湖北省仙桃市"


@pytest.mark.parametrize("code", ["441399", "999999", "83000", "abcdef", "", "8300001"])
def test_unknown_or_malformed_codes_have_no_name(code):
    assert division_name(code) is None
    assert not is_known_division(code)


def test_province_names_come_from_the_first_two_digits():
    assert province_name("441399") == "广东省"
    assert province_name("11") == "北京市"
    assert province_name("x") is None


def test_the_34_province_level_divisions_plus_83_and_91_are_accepted():
    assert len(PROVINCE_CODES) == 36
    assert {"11", "65", "71", "81", "82", "83", "91"} <= PROVINCE_CODES
    assert "10" not in PROVINCE_CODES


def test_the_identity_module_offers_the_same_division_name():
    assert reexported is division_name
