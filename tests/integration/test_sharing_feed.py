"""The pull feed of data sharing (issue 17), on both databases: events from real acts, each
subscriber seeing only its grant (event types, regions, an employer's roster) and only its granted
fields, numbers masked unless ``id_number`` is granted; a stable cursor; clear refusals."""

from __future__ import annotations

from datetime import date

import pytest

from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts, renewal, reviews
from opcert.services.registry import parties as registry
from opcert.services.review import decisions
from opcert.services.sharing import rosters, subscribers
from opcert.services.sharing.sharing_list import ALWAYS, mask_number
from tests.integration.builders import id_number, make_result
from tests.integration.lifecycle_helpers import at, issue_on
from tests.integration.sharing_world import USCC, pull, pull_all, subscribe
from tests.sharing_schemas import problems, schema_of

CERT = "cn.opcert.certificate."
APP = "cn.opcert.application."


def _issue(ctx, principal, **overrides) -> tuple[dict, str, str]:
    row = make_result(**overrides)
    [done] = submit_results(ctx, principal, [row])
    assert done.outcome == "issued", done
    return row, done.certificate_no, done.application_id


def _subjects(events: list[dict]) -> set[str]:
    return {e["subject"] for e in events}


@pytest.fixture
def three(ctx, world):
    """A Zhuhai municipal platform (no ID numbers), a Chongqing enforcement system (every field)
    and a national employer with two workers on its roster; then three certificates issued in
    Zhuhai (a, b) and Chongqing (c), a revoked and c cancelled."""
    city = subscribe(ctx, "CITY-ZH", fields=["number", "name", "status", "valid_to"],
                     regions=["440400"])  # fmt: skip
    enforcement = subscribe(ctx, "ENF-CQ", regions=["500000"])
    employer = subscribe(ctx, "EMP-1", fields=["number", "status", "item"], uscc=USCC)
    a_id, c_id = id_number(), id_number(division="500103")
    roster = [
        {"id_number": a_id, "name": "张三", "item": ""},
        {"id_number": c_id, "name": "张三", "item": "1.2"},
    ]
    rosters.replace_roster(ctx, "EMP-1", roster, "test")
    a = _issue(ctx, world.zhuhai, id_number=a_id)
    b = _issue(ctx, world.zhuhai)
    c = _issue(ctx, world.chongqing, id_number=c_id, exam_point="EP-500000-01")
    acts.revoke(ctx, a[1], "1.2", "证书记载虚假信息")
    acts.cancel(ctx, c[1], "1.2", "death")
    return {"city": city, "enforcement": enforcement, "employer": employer, "a": a, "b": b, "c": c}


def test_each_subscriber_receives_only_its_granted_fields_and_regions_with_numbers_masked(
    client, three
):
    (_, a_no, a_app), (_, b_no, b_app), (c_row, c_no, c_app) = three["a"], three["b"], three["c"]

    city, _ = pull_all(client, three["city"].api_key)
    assert _subjects(city) == {mask_number(a_no), mask_number(b_no), a_app, b_app}
    for event in city:
        assert set(event["data"]) <= {*ALWAYS, "number", "name", "status", "valid_to"}
        assert "id_number" not in event["data"]
        if event["type"].startswith(CERT):
            assert "*" in event["subject"] and event["data"]["number"] == event["subject"]
            assert event["data"]["name"] == "张三" and "valid_to" in event["data"]
    assert [e["type"] for e in city if e["subject"] == mask_number(a_no)] == [
        CERT + "issued",
        CERT + "revoked",
    ]

    enforcement, _ = pull_all(client, three["enforcement"].api_key)
    assert _subjects(enforcement) == {c_no, c_app}
    cancelled = [e for e in enforcement if e["type"] == CERT + "cancelled"]
    assert [e["data"]["number"] for e in cancelled] == [c_no]
    assert cancelled[0]["data"]["id_number"] == c_row["id_number"]
    assert cancelled[0]["data"]["status"] == "cancelled"
    assert cancelled[0]["data"]["authority"] == "CN-500000"

    employer, _ = pull_all(client, three["employer"].api_key)
    assert _subjects(employer) == {mask_number(a_no), a_app, mask_number(c_no), c_app}
    for event in employer:
        assert set(event["data"]) <= {*ALWAYS, "number", "status", "item"}
    for event in [*city, *enforcement, *employer]:
        assert event["specversion"] == "1.0" and event["source"].startswith("http")
        assert event["dataschema"].endswith(f"/docs/events/{event['type']}.schema.json")
        assert problems(schema_of(event["type"]), event["data"]) == [], event


def test_the_cursor_is_stable_and_a_subscriber_that_was_down_catches_up(ctx, world, client, three):
    key = three["city"].api_key
    whole = pull(client, key)
    assert whole["more"] is False and len(whole["events"]) == 7
    one_by_one, cursor = pull_all(client, key, limit=1)
    assert [e["id"] for e in one_by_one] == [e["id"] for e in whole["events"]]
    assert cursor == whole["cursor"]
    assert pull(client, key, after=cursor) == {"events": [], "cursor": cursor, "more": False}

    subscribers.set_active(ctx, "CITY-ZH", False, "接收系统停机维护", actor="test")
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {key}"}).status_code == (
        401
    )
    _, late_no, late_app = _issue(ctx, world.zhuhai)
    _issue(ctx, world.chongqing, exam_point="EP-500000-01")  # not the city's region
    acts.suspend(ctx, late_no, "1.2", "停工调查")
    subscribers.set_active(ctx, "CITY-ZH", True, "恢复", actor="test")

    caught_up, _ = pull_all(client, key, after=cursor, limit=2)
    assert [(e["type"], e["subject"]) for e in caught_up] == [
        (APP + "filed", late_app),
        (APP + "decided", late_app),
        (CERT + "issued", mask_number(late_no)),
        (CERT + "suspended", mask_number(late_no)),
    ]
    again, _ = pull_all(client, key)
    assert [e["id"] for e in again] == [e["id"] for e in [*whole["events"], *caught_up]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "x"}, "after"),
        ({"after": "e-1"}, "after"),
        ({"after": "e²"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_refused_naming_the_field(ctx, client, params, field):
    key = subscribe(ctx, "CITY-ZH").api_key
    response = client.get(
        "/api/v1/events", params=params, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_missing_wrong_or_disabled_key_is_refused_with_401(ctx, world, client):
    key = subscribe(ctx, "CITY-ZH").api_key
    for headers in (
        {},
        {"Authorization": "Bearer osk_not-a-key"},
        {"Authorization": f"Bearer {world.zhuhai_key}"},  # an institution's key is not one
        {"Authorization": f"Basic {key}"},
    ):
        response = client.get("/api/v1/events", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["code"].startswith("SUBSCRIBER_KEY_")
    fresh = subscribers.rotate_secret(ctx, ctx.sharing_config(), "CITY-ZH", api_key=True,
                                      actor="test")  # fmt: skip
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {key}"}).status_code == (
        401
    )
    assert pull(client, fresh)["events"] == []


def test_every_act_the_pipeline_and_the_lifecycle_perform_arrives_in_order(
    ctx, clock, world, client
):
    key = subscribe(ctx, "ALL").api_key
    registry.add_institution(
        ctx, code="TRAIN-ZH", name="培训中心", region="440402", kind="training"
    )
    number, item, _ = issue_on(ctx, clock, world, date(2022, 3, 10))
    clock.set(at(date(2025, 1, 9)))
    reviews.apply_for_review(ctx, number, item, training_hours=8, training_institution="TRAIN-ZH")
    clock.set(at(date(2025, 2, 12)))
    reviews.decide_review(ctx, number, item, passed=True)
    acts.suspend(ctx, number, item, "停工调查")
    acts.reinstate(ctx, number, item, "调查结束")
    acts.correct(ctx, number, item, name="张叁", reason="姓名录入有误")
    acts.replace(ctx, number, item, "lost")
    clock.set(at(date(2028, 1, 10)))  # 60 days before the validity ends on 2028-03-10
    renewal.renew(ctx, number, item)
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    acts.cancel(ctx, number, item, "revoked")
    for authority in ("CN-440400", "CN-440000"):
        registry.set_auto_approve(ctx, authority, False)
    [held] = submit_results(ctx, world.zhuhai, [make_result(exam_date="2028-01-09")])
    assert held.outcome == "in_review"
    decisions.decide(ctx, world.zhuhai_officer, held.application_id, "approve", None)

    events, _ = pull_all(client, key, limit=3)
    certificate = [e for e in events if e["subject"] == number]
    assert [e["type"].removeprefix(CERT) for e in certificate] == [
        "issued", "reviewed", "suspended", "reinstated", "corrected", "replaced", "renewed",
        "revoked", "cancelled",
    ]  # fmt: skip
    assert certificate[4]["data"]["name"] == "张叁"
    assert certificate[6]["data"]["valid_to"] > "2028-03-10"
    application = [e for e in events if e["subject"] == held.application_id]
    assert [e["type"].removeprefix(APP) for e in application] == ["filed", "held", "decided"]
    assert application[1]["data"]["status"] == "in_review"
    assert application[2]["data"]["status"] == "issued"  # approved, and issued at once
    issued = [e for e in events if e["type"] == CERT + "issued"]
    assert len(issued) == 2 and issued[1]["data"]["number"] != number
    assert events.index(application[2]) < events.index(issued[1])
    times = [e["time"] for e in events]
    assert times == sorted(times)
    for event in events:  # the published schema of each type holds what was sent
        assert problems(schema_of(event["type"]), event["data"]) == [], event


def test_every_event_names_a_data_schema_the_platform_serves_and_its_data_conforms(client, three):
    events, _ = pull_all(client, three["enforcement"].api_key)
    assert events
    for event in events:
        path = event["dataschema"].split("://", 1)[1].split("/", 1)[1]
        response = client.get(f"/{path}")
        assert response.status_code == 200, event["dataschema"]
        assert response.headers["content-type"].startswith("application/schema+json")
        schema = response.json()
        assert schema == schema_of(event["type"])
        assert problems(schema, event["data"]) == []
    unknown = client.get("/docs/events/cn.opcert.certificate.forged.schema.json")
    assert unknown.status_code == 404
    # A program following a dataschema reads a problem it can parse, as the description says.
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["code"] == "SCHEMA_NOT_FOUND"
    assert client.get("/docs/events/..%2F..%2Fpyproject.toml").status_code == 404
