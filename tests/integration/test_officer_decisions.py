"""Decisions an officer means: no decision without a choice, no approval over a failed automatic
check without an override reason and a confirmation bound to exactly what was shown, and batch
approval that refuses an empty or disallowed selection. Tried as a mistaken or hostile officer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opcert.domain.errors import Conflict, FieldError, NotFound
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.registry import parties as registry
from opcert.services.review import decisions as approval
from opcert.services.review import overrides
from tests.integration.builders import id_number, make_result


def _failed_check_application(ctx, world) -> str:  # type: ignore[no-untyped-def]
    """A Chongqing application whose age check failed (a man born 1950 is past retirement)."""
    old = id_number(division="500103", born=date(1950, 3, 1))
    [outcome] = submit_results(
        ctx, world.chongqing, [make_result(id_number=old, exam_point="EP-500000-01")]
    )
    assert outcome.outcome == "in_review", outcome
    return str(outcome.application_id)


def _clean_application(ctx, world) -> str:  # type: ignore[no-untyped-def]
    registry.set_auto_approve(ctx, "CN-500000", False)
    [outcome] = submit_results(ctx, world.chongqing, [make_result(exam_point="EP-500000-01")])
    assert outcome.outcome == "in_review", outcome
    return str(outcome.application_id)


def _status(ctx, app_id: str) -> str:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        row = uow.applications.get(app_id)
        assert row is not None
        return str(row.status)


def test_a_decision_without_a_choice_is_refused_naming_the_decision_field(ctx, world):
    app_id = _clean_application(ctx, world)
    with pytest.raises(FieldError) as refused:
        approval.decide(ctx, world.chongqing_officer, app_id, "", "")
    assert refused.value.field == "decision"
    assert _status(ctx, app_id) == "in_review"


def test_approving_over_a_failed_check_without_a_reason_is_refused_and_nothing_is_issued(
    ctx, world
):
    app_id = _failed_check_application(ctx, world)
    with pytest.raises(FieldError) as refused:
        approval.decide(ctx, world.chongqing_officer, app_id, "approve", "  ")
    assert (refused.value.field, refused.value.code) == ("reason", "OVERRIDE_REASON_REQUIRED")
    assert _status(ctx, app_id) == "in_review"


def test_approving_over_a_failed_check_that_skipped_the_confirmation_is_refused(ctx, world):
    app_id = _failed_check_application(ctx, world)
    with pytest.raises(FieldError) as refused:
        approval.decide(ctx, world.chongqing_officer, app_id, "approve", "核实户籍后仍予批准")
    assert (refused.value.field, refused.value.code) == ("confirmation", "CONFIRMATION_REQUIRED")
    assert _status(ctx, app_id) == "in_review"


def test_a_forged_confirmation_key_is_refused(ctx, world):
    app_id = _failed_check_application(ctx, world)
    with pytest.raises(FieldError) as refused:
        approval.decide(
            ctx, world.chongqing_officer, app_id, "approve", "仍予批准", confirmation="x" * 32
        )
    assert refused.value.code == "CONFIRMATION_INVALID"
    assert _status(ctx, app_id) == "in_review"


def test_the_confirmation_shows_every_failed_check_and_then_approves_once(ctx, world):
    app_id = _failed_check_application(ctx, world)
    shown = overrides.prepare(ctx, world.chongqing_officer, app_id, "  经核实仍在岗，特批  ")
    assert [c["check"] for c in shown.failed] == ["age"]
    assert shown.reason == "经核实仍在岗，特批"
    assert _status(ctx, app_id) == "in_review"  # showing the page writes nothing
    done = approval.decide(
        ctx, world.chongqing_officer, app_id, "approve", shown.reason, confirmation=shown.key
    )
    assert done.status == "issued" and done.certificate_no
    with pytest.raises(Conflict):  # the same confirmation posted again
        approval.decide(
            ctx, world.chongqing_officer, app_id, "approve", shown.reason, confirmation=shown.key
        )


def test_a_reason_changed_after_the_confirmation_is_refused(ctx, world):
    app_id = _failed_check_application(ctx, world)
    shown = overrides.prepare(ctx, world.chongqing_officer, app_id, "经核实仍在岗")
    with pytest.raises(FieldError) as refused:
        approval.decide(
            ctx, world.chongqing_officer, app_id, "approve", "另一个理由", confirmation=shown.key
        )
    assert refused.value.code == "CONFIRMATION_INVALID"
    assert _status(ctx, app_id) == "in_review"


def test_a_confirmation_for_one_application_does_not_approve_another(ctx, world):
    first = _failed_check_application(ctx, world)
    second = _failed_check_application(ctx, world)
    shown = overrides.prepare(ctx, world.chongqing_officer, first, "仍予批准")
    with pytest.raises(FieldError):
        approval.decide(
            ctx, world.chongqing_officer, second, "approve", "仍予批准", confirmation=shown.key
        )
    assert _status(ctx, second) == "in_review"


def test_a_confirmation_shown_to_one_officer_does_not_work_for_another(ctx, world):
    registry.add_officer(ctx, username="cq2", region="500000", password=world.password)
    with ctx.uow() as uow:
        row = uow.registry.officer_by_username("cq2")
        assert row is not None
        colleague = OfficerPrincipal(row.id, row.username, row.region, row.role)
    app_id = _failed_check_application(ctx, world)
    shown = overrides.prepare(ctx, world.chongqing_officer, app_id, "仍予批准")
    with pytest.raises(FieldError):
        approval.decide(ctx, colleague, app_id, "approve", "仍予批准", confirmation=shown.key)
    assert _status(ctx, app_id) == "in_review"


def test_a_confirmation_older_than_30_minutes_is_refused(ctx, world, clock):
    app_id = _failed_check_application(ctx, world)
    shown = overrides.prepare(ctx, world.chongqing_officer, app_id, "仍予批准")
    clock.set(clock.now() + timedelta(minutes=31))
    with pytest.raises(FieldError) as refused:
        approval.decide(
            ctx, world.chongqing_officer, app_id, "approve", "仍予批准", confirmation=shown.key
        )
    assert refused.value.code == "CONFIRMATION_INVALID"


def test_another_authoritys_officer_can_neither_see_nor_confirm_the_override(ctx, world):
    app_id = _failed_check_application(ctx, world)
    with pytest.raises(NotFound):
        overrides.prepare(ctx, world.zhuhai_officer, app_id, "仍予批准")
    shown = overrides.prepare(ctx, world.chongqing_officer, app_id, "仍予批准")
    with pytest.raises(NotFound):
        approval.decide(
            ctx, world.zhuhai_officer, app_id, "approve", "仍予批准", confirmation=shown.key
        )


def test_a_batch_of_nothing_is_refused_naming_the_selection(ctx, world):
    with pytest.raises(FieldError) as refused:
        approval.approve_clean(ctx, world.chongqing_officer, [])
    assert (refused.value.field, refused.value.code) == ("application", "SELECTION_EMPTY")


def test_a_batch_with_a_failed_check_application_approves_none_of_it(ctx, world):
    clean = _clean_application(ctx, world)
    flagged = _failed_check_application(ctx, world)
    with pytest.raises(Conflict) as refused:
        approval.approve_clean(ctx, world.chongqing_officer, [clean, flagged])
    assert refused.value.code == "NOT_CLEAN"
    assert (_status(ctx, clean), _status(ctx, flagged)) == ("in_review", "in_review")


def test_a_batch_with_another_regions_application_approves_none_of_it(ctx, world):
    registry.set_auto_approve(ctx, "CN-440400", False)
    [theirs] = submit_results(ctx, world.zhuhai, [make_result()])
    mine = _clean_application(ctx, world)
    with pytest.raises(NotFound):
        approval.approve_clean(ctx, world.chongqing_officer, [mine, str(theirs.application_id)])
    assert _status(ctx, mine) == "in_review"


def test_the_api_refuses_an_override_without_a_confirmation_naming_the_field(client, ctx, world):
    app_id = _failed_check_application(ctx, world)
    login = client.post("/api/v1/auth/token", data={"username": "cq", "password": world.password})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    response = client.post(
        f"/api/v1/applications/{app_id}/decision",
        json={"decision": "approve", "reason": "仍予批准"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "confirmation"
    assert _status(ctx, app_id) == "in_review"


def test_an_officer_with_the_longest_username_can_confirm_an_override(ctx, world):
    username = "o" * 64
    registry.add_officer(ctx, username=username, region="500000", password=world.password)
    with ctx.uow() as uow:
        row = uow.registry.officer_by_username(username)
        assert row is not None
        officer = OfficerPrincipal(row.id, row.username, row.region, row.role)
    app_id = _failed_check_application(ctx, world)
    shown = overrides.prepare(ctx, officer, app_id, "仍予批准")
    done = approval.decide(ctx, officer, app_id, "approve", "仍予批准", confirmation=shown.key)
    assert done.status == "issued"
