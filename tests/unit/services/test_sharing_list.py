"""The sharing list's rules (issue 17): which division a grant of regions covers, what one
subscriber may see of an event (field-level minimisation), and how a certificate number is
masked when the ID number inside it is not granted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.privacy import mask_id_number
from opcert.services.sharing.sharing_list import (
    ALWAYS,
    FIELDS,
    covers,
    mask_number,
    minimise,
    shown_subject,
)
from tests.integration.builders import with_check_digit

digits = st.text("0123456789", min_size=2, max_size=2)
provinces = st.sampled_from(["11", "31", "44", "50", "65"])
divisions = st.builds(lambda p, c, d: p + c + d, provinces, digits, digits)
ids = st.builds(
    lambda division, born, seq: with_check_digit(f"{division}{born:%Y%m%d}{seq:03d}"),
    divisions,
    st.dates(),
    st.integers(min_value=0, max_value=999),
).filter(lambda number: len(number) == 18)
grants = st.lists(st.sampled_from(FIELDS), unique=True)


@given(divisions)
def test_the_whole_country_its_province_its_city_and_itself_cover_a_division(division):
    city = division[:4] + "00"
    assert covers(["000000"], division)
    assert covers([division[:2] + "0000"], division)
    assert covers([division], division)
    if division[4:] != "00":
        assert covers([city], division)


@given(divisions, divisions)
def test_a_region_covers_a_division_only_when_the_division_lies_within_it(region, division):
    level = region.rstrip("0")
    level += "0" * (len(level) % 2)
    assert covers([region], division) == division.startswith(level)
    assert covers([region, division], division)
    assert not covers([], division)


def test_neighbours_do_not_cover_each_other():
    assert not covers(["440300"], "440402")  # Shenzhen, Zhuhai
    assert not covers(["440000"], "450100")  # Guangdong, Nanning
    assert not covers(["440402"], "440400")  # a county does not cover its city
    assert covers(["500000"], "500103") and covers(["441900"], "441900")


def _snapshot(id_number: str) -> dict:
    return {
        "event": "revoked",
        "number": "T" + id_number,
        "name": "张三",
        "sex": "男",
        "category": "1",
        "item": "1.2",
        "status": "revoked",
        "first_issued_on": "2026-11-20",
        "valid_from": "2026-11-20",
        "valid_to": "2032-11-19",
        "review_due_on": None,
        "reviewed_on": None,
        "authority": "CN-440400",
        "id_number": id_number,
        "not_in_the_list": "never shared",
    }


@given(ids, grants)
def test_a_subscriber_sees_only_its_granted_fields_and_the_number_masked_without_id_number(
    id_number, granted
):
    data = _snapshot(id_number)
    shown = minimise(data, granted)
    assert set(shown) == (set(granted) | set(ALWAYS)) & set(data)
    assert "not_in_the_list" not in shown
    for key, value in shown.items():
        if key != "number":
            assert value == data[key]
    if "number" in shown:
        masked = "id_number" not in granted
        assert shown["number"] == (mask_number(data["number"]) if masked else data["number"])
    if "id_number" not in granted:
        assert id_number not in repr(shown)
    assert minimise(shown, granted) == shown  # minimising twice changes nothing more


@given(ids, grants)
def test_the_subject_is_masked_like_the_number(id_number, granted):
    subject = shown_subject("T" + id_number, granted)
    assert subject == ("T" + id_number if "id_number" in granted else mask_number("T" + id_number))
    assert shown_subject("a4f0c9d2-application", granted) == "a4f0c9d2-application"


@given(ids, st.sampled_from("TA"))
def test_a_masked_number_keeps_its_letter_division_and_last_four_and_hides_the_birth_date(
    id_number, letter
):
    masked = mask_number(letter + id_number)
    assert masked == letter + id_number[:6] + "*" * 8 + id_number[14:]
    assert len(masked) == 19 and id_number[6:14] not in masked
    assert mask_number(masked) == masked


@given(st.text(max_size=30))
def test_any_other_text_is_masked_like_an_id_number_and_never_raises(text):
    masked = mask_number(text)
    if not (text[:1] in ("T", "A") and len(text) > 11):
        assert masked == mask_id_number(text)
    assert len(masked) == len(text)
