"""The exam-point register's rule (decision 0028): a result is accepted only from a point
accredited for the item on the exam date, standardised and apart from training, with real
equipment for welding and thermal cutting."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.accreditation import Accreditation, refusal

ON = date(2026, 11, 19)


def accredited(item: str | None = "1.2", **overrides: object) -> Accreditation:
    values: dict[str, object] = {
        "item": item,
        "standardised": True,
        "real_equipment": True,
        "training_separated": True,
        "valid_from": date(2026, 1, 1),
        "valid_to": None,
    }
    values.update(overrides)
    return Accreditation(**values)  # type: ignore[arg-type]


def code(records: list[Accreditation], item: str = "1.2", on: date = ON) -> str | None:
    error = refusal("EP-1", records, item, "低压电工作业", on)
    assert error is None or error.field == "exam_point"
    return None if error is None else error.code


def test_a_point_accredited_for_the_item_on_the_day_is_accepted():
    assert code([accredited()]) is None
    assert code([accredited(item=None)]) is None  # every item


def test_a_point_with_no_record_for_the_item_is_refused_naming_the_point():
    assert code([accredited(item="1.1")]) == "EXAM_POINT_NOT_ACCREDITED"
    assert code([]) == "EXAM_POINT_NOT_ACCREDITED"
    error = refusal("EP-1", [], "1.2", "低压电工作业", ON)
    assert error is not None and "EP-1" in error.message_zh and "低压电工作业" in error.message_zh


def test_an_exam_before_the_accreditation_or_after_its_end_is_refused():
    assert code([accredited(valid_from=date(2026, 11, 20))]) == "EXAM_POINT_NOT_ACCREDITED"
    assert code([accredited(valid_to=date(2026, 11, 18))]) == "EXAM_POINT_NOT_ACCREDITED"
    assert code([accredited(valid_from=ON, valid_to=ON)]) is None  # both ends count


def test_a_point_not_standardised_or_not_apart_from_training_is_refused():
    assert code([accredited(standardised=False)]) == "EXAM_POINT_NOT_STANDARDISED"
    assert code([accredited(training_separated=False)]) == "EXAM_POINT_NOT_STANDARDISED"


def test_welding_needs_real_equipment_and_other_items_do_not():
    assert code([accredited("2.1", real_equipment=False)], "2.1") == "EXAM_POINT_NO_REAL_EQUIPMENT"
    assert code([accredited("2.1")], "2.1") is None
    assert code([accredited(real_equipment=False)]) is None


@given(
    st.lists(
        st.builds(
            Accreditation,
            st.sampled_from([None, "1.2", "2.1"]),
            st.booleans(),
            st.booleans(),
            st.booleans(),
            st.none() | st.dates(date(2025, 1, 1), date(2027, 1, 1)),
            st.none() | st.dates(date(2025, 1, 1), date(2027, 1, 1)),
        ),
        max_size=4,
    ),
    st.sampled_from(["1.2", "2.1"]),
)
def test_accepted_exactly_when_one_record_in_force_attests_everything(records, item):
    qualifying = [
        r
        for r in records
        if r.covers(item, ON)
        and r.standardised
        and r.training_separated
        and (r.real_equipment or not item.startswith("2."))
    ]
    assert (code(records, item) is None) == bool(qualifying)
