"""The officer queue: deadlines in working days, decisions, and who may decide what."""

from __future__ import annotations

import pytest

from opcert.domain.errors import Forbidden, NotFound
from opcert.services.intake.pipeline import submit_results
from opcert.services.registry import parties as registry
from opcert.services.review import decisions as approval
from tests.integration.builders import make_result


def token(client, world, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": world.password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def in_review(ctx, principal, **overrides) -> str:
    [outcome] = submit_results(ctx, principal, [make_result(**overrides)])
    assert outcome.outcome == "in_review"
    assert outcome.application_id
    return outcome.application_id


def test_an_authority_that_reviews_by_hand_puts_clean_results_in_the_queue_with_a_20_working_day_deadline(
    client, world, ctx
):
    registry.set_auto_approve(ctx, "CN-500000", False)
    app_id = in_review(ctx, world.chongqing, exam_point="EP-500000-01")
    response = client.get(
        "/api/v1/applications", params={"status": "in_review"}, headers=token(client, world, "cq")
    )
    assert response.status_code == 200
    [entry] = response.json()["applications"]
    assert entry["id"] == app_id
    assert entry["reasons"] == ["AUTHORITY_REVIEWS_ALL"]
    # Filed Friday 2026-11-20: 20 working days later is Friday 2026-12-18; the 1-day target is Monday.
    assert entry["due_on"] == "2026-12-18"
    assert entry["target_on"] == "2026-11-23"
    assert entry["workdays_left"] == 20


def test_an_officer_approves_and_the_certificate_is_queryable_at_once(client, world, ctx):
    registry.set_auto_approve(ctx, "CN-500000", False)
    row = make_result(exam_point="EP-500000-01", name="王五")
    [outcome] = submit_results(ctx, world.chongqing, [row])
    response = client.post(
        f"/api/v1/applications/{outcome.application_id}/decision",
        json={"decision": "approve", "reason": "材料齐全"},
        headers=token(client, world, "cq"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "issued"
    assert response.json()["certificate_no"] == "T" + row["id_number"]
    query = client.get(
        "/api/v1/certificates", params={"id_number": row["id_number"], "name": "王五"}
    )
    assert query.json()["certificates"][0]["status"] == "valid"


def test_a_rejection_without_a_reason_is_refused_naming_the_reason_field(client, world, ctx):
    registry.set_auto_approve(ctx, "CN-500000", False)
    app_id = in_review(ctx, world.chongqing, exam_point="EP-500000-01")
    response = client.post(
        f"/api/v1/applications/{app_id}/decision",
        json={"decision": "reject"},
        headers=token(client, world, "cq"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_a_decided_application_cannot_be_decided_again(client, world, ctx):
    registry.set_auto_approve(ctx, "CN-500000", False)
    app_id = in_review(ctx, world.chongqing, exam_point="EP-500000-01")
    headers = token(client, world, "cq")
    body = {"decision": "reject", "reason": "信息不符"}
    assert (
        client.post(
            f"/api/v1/applications/{app_id}/decision", json=body, headers=headers
        ).status_code
        == 200
    )
    again = client.post(f"/api/v1/applications/{app_id}/decision", json=body, headers=headers)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("officer", "site", "allowed"),
    [
        ("zhuhai_officer", "zhuhai", True),
        ("zhuhai_officer", "chongqing", False),
        ("chongqing_officer", "chongqing", True),
        ("chongqing_officer", "zhuhai", False),
        ("guangdong_officer", "zhuhai", True),
        ("guangdong_officer", "chongqing", False),
    ],
)
def test_officers_decide_only_applications_of_their_own_region(world, ctx, officer, site, allowed):
    registry.set_auto_approve(ctx, "CN-500000", False)
    registry.set_auto_approve(ctx, "CN-440400", False)
    point = {"zhuhai": "EP-440400-01", "chongqing": "EP-500000-01"}[site]
    app_id = in_review(ctx, getattr(world, site), exam_point=point)
    who = getattr(world, officer)
    listed = {entry.id for entry in approval.queue(ctx, who)}
    assert (app_id in listed) is allowed
    if allowed:
        assert approval.decide(ctx, who, app_id, "approve", None).status == "issued"
    else:
        with pytest.raises(NotFound):
            approval.decide(ctx, who, app_id, "approve", None)


def test_a_zhuhai_officer_gets_404_deciding_a_chongqing_application_over_http(client, world, ctx):
    registry.set_auto_approve(ctx, "CN-500000", False)
    app_id = in_review(ctx, world.chongqing, exam_point="EP-500000-01")
    response = client.post(
        f"/api/v1/applications/{app_id}/decision",
        json={"decision": "approve"},
        headers=token(client, world, "zh"),
    )
    assert response.status_code == 404
    assert response.json()["code"] == "APPLICATION_UNKNOWN"


def test_an_inspector_may_not_decide(world, ctx):
    registry.set_auto_approve(ctx, "CN-440400", False)
    app_id = in_review(ctx, world.zhuhai)
    with pytest.raises(Forbidden):
        approval.decide(ctx, world.inspector, app_id, "approve", None)


def test_a_wrong_password_is_401_and_an_unknown_token_is_401(client, world):
    bad = client.post("/api/v1/auth/token", data={"username": "zh", "password": "nope"})
    assert bad.status_code == 401
    response = client.get("/api/v1/applications", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
