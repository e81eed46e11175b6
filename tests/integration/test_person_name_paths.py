"""One name rule on every path a name enters by: intake, correction (更正), the public query, the
holder's real-name login, officer search and the legacy card import. A name one path accepts,
every path accepts and stores or compares as the same text; a name one refuses, all refuse."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcert.domain.errors import DomainError, FieldError, ValidationFailed
from opcert.domain.names import DOT_LOOKALIKES, MIDDLE_DOT, SPACES, PersonName
from opcert.services.holders import identity as holder_identity
from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts
from opcert.services.lifecycle.legacy import COLUMNS, import_legacy_csv
from opcert.services.verification import query as certificates
from opcert.services.verification.search import search
from tests.integration.builders import id_number, make_result

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
latin = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñçễịăđ")
# What people paste into a name besides letters: some the rule turns into a name, most it refuses.
stray = st.sampled_from(
    [
        *sorted(DOT_LOOKALIKES | SPACES | {MIDDLE_DOT}),
        *["3", "\t", "\u200b", "\u2003", "=", "-", "@", "😀", "（", ",", '"', "'"],
    ]
)


@st.composite
def typed_names(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.text(st.one_of(han, latin), min_size=1, max_size=4), max_size=3))
    joints = draw(st.lists(st.text(stray, max_size=2), min_size=len(parts) + 1))
    text = joints[0]
    for part, joint in zip(parts, joints[1:], strict=False):
        text += part + joint
    return text


def _rule(typed: str) -> str | None:
    try:
        return PersonName(typed).text
    except FieldError:
        return None


def _refused_on_name(call) -> bool:  # type: ignore[no-untyped-def]
    try:
        call()
    except ValidationFailed as failed:
        return any(error.field == "name" for error in failed.errors)
    except FieldError as error:
        return error.field == "name"
    return False


def _legacy_row(holder: str, typed: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        ["4404001", holder, typed, "1.1", "2013-05-01", "2024-08-01", "2030-08-01", "", "CN-440400"]
    )
    return out.getvalue()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=typed_names())
def test_a_name_accepted_by_one_path_is_accepted_by_all_and_stored_as_the_same_text(
    platform, world, typed
):
    ctx = platform.ctx
    expected = _rule(typed)
    row = make_result(name=typed)
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    legacy_holder = id_number()
    legacy = import_legacy_csv(ctx, _legacy_row(legacy_holder, typed))
    if expected is None:
        assert outcome.outcome == "rejected"
        assert [e["field"] for e in outcome.errors] == ["name"]
        assert legacy.imported == 0 and [e["field"] for e in legacy.errors] == ["name"]
        holder = row["id_number"]
        assert _refused_on_name(lambda: certificates.public_query(ctx, holder, typed, asker=None))
        assert _refused_on_name(lambda: holder_identity.send_code(ctx, holder, typed))
        assert _refused_on_name(
            lambda: acts.correct(ctx, "T" + holder, "1.2", name=typed, reason="更正")
        )
        return
    assert outcome.outcome == "issued", outcome
    assert legacy.imported == 1, legacy.errors
    for holder in (row["id_number"], legacy_holder):
        [found] = certificates.public_query(ctx, holder, typed, asker=None)
        assert found["name"] == expected
    # A card-era holder has no person record to log in with; the holder of the intake has.
    assert holder_identity.send_code(ctx, row["id_number"], typed).name == expected
    assert expected in {c["name"] for c in search(ctx, world.inspector, typed)}
    acts.correct(ctx, outcome.certificate_no, "1.2", name=typed, reason="更正用字")
    [corrected] = certificates.public_query(ctx, row["id_number"], expected, asker=None)
    assert corrected["name"] == expected


@pytest.mark.parametrize(
    "typed",
    ["张三3", "张\u2003三", "=张三", "·张三", "张三\u200b"],
    ids=["digit", "em-space", "formula", "leading-dot", "zero-width"],
)
def test_a_name_intake_refuses_cannot_be_given_by_a_correction(platform, world, typed):
    ctx = platform.ctx
    [issued] = submit_results(ctx, world.zhuhai, [make_result(name="张三")])
    with pytest.raises(DomainError) as refused:
        acts.correct(ctx, issued.certificate_no, "1.2", name=typed, reason="更正用字")
    assert refused.value.field == "name"
    [rejected] = submit_results(ctx, world.zhuhai, [make_result(name=typed)])
    assert rejected.outcome == "rejected"
