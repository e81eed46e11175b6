"""What a log line may keep of a person: the masked ID number, never the full one, never a name."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.privacy import mask_id_number, redact

ID_NUMBER = "440402199005170031"

id_numbers = st.builds(
    lambda body, last: body + last,
    st.text("0123456789", min_size=17, max_size=17),
    st.sampled_from("0123456789X"),
)
han_names = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=6
)
surroundings = st.text(st.characters(blacklist_categories=("Cs", "Nd")), max_size=40)


def test_an_id_number_keeps_its_first_six_and_last_four_characters():
    assert mask_id_number(ID_NUMBER) == "440402********0031"
    assert redact(f"GET /q?id_number={ID_NUMBER}&x=1") == "GET /q?id_number=440402********0031&x=1"


def test_a_certificate_number_is_masked_like_the_id_number_it_contains():
    assert redact(f"T{ID_NUMBER}") == "T440402********0031"


def test_a_name_in_a_query_string_is_removed_encoded_or_not():
    for value in ("张三", quote("欧阳娜娜"), "John+Smith"):
        assert redact(f"/api/v1/certificates?name={value}&item=1.2") == (
            "/api/v1/certificates?name=***&item=1.2"
        )


def test_a_name_field_in_json_or_a_repr_is_removed():
    assert redact('{"name": "Zhang San", "item": "1.2"}') == '{"name": "***", "item": "1.2"}'
    assert redact("{'name': 'Zhang San'}") == "{'name': \"***\"}"


def test_a_username_is_not_taken_for_a_name():
    assert redact("username=admin") == "username=admin"


def test_longer_digit_runs_are_left_alone():
    assert redact("1234567890123456789012") == "1234567890123456789012"


@given(id_numbers, han_names, surroundings, surroundings)
def test_no_full_id_number_and_no_han_name_survives(number, name, before, after):
    line = f"{before}{number} {name}{after}"
    cleaned = redact(line)
    assert number not in cleaned
    assert name not in cleaned
    assert redact(cleaned) == cleaned  # masking twice changes nothing
