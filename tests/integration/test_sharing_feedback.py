"""Outcome feedback from subscribers (``POST /api/v1/feedback``, issue 17), on both databases:
recorded against the certificate and in the ledger, refused outside the subscriber's grant,
idempotent on the subscriber's ``ref``."""

from __future__ import annotations

import pytest

from opcert.services.intake.pipeline import submit_results
from opcert.services.sharing import feedback, rosters
from tests.integration.builders import id_number, make_result
from tests.integration.sharing_world import USCC, pull, subscribe


def _issue(ctx, principal, **overrides) -> tuple[str, str]:
    row = make_result(**overrides)
    [done] = submit_results(ctx, principal, [row])
    assert done.outcome == "issued", done
    return done.certificate_no, row["id_number"]


def _certificate_id(ctx, number: str) -> int:
    with ctx.reader() as uow:
        row = uow.certificates.get(number, "1.2")
        assert row is not None
        return row.id


def _ledger_count(ctx, number: str) -> int:
    with ctx.reader() as uow:
        entries = uow.ledger.entries_for(f"certificate:{number}:1.2")
        return sum(1 for e in entries if e.kind == "feedback.recorded")


def _send(client, key: str, body: object):
    return client.post("/api/v1/feedback", json=body, headers={"Authorization": f"Bearer {key}"})


def _outcome(number: str, **overrides) -> dict:
    body = {
        "ref": "ENF-2026-0001",
        "certificate_number": number,
        "item": "1.2",
        "kind": "enforcement",
        "detail": "现场检查发现无证上岗，已责令停止作业",
        "occurred_on": "2026-11-19",
    }
    body.update(overrides)
    return body


@pytest.fixture
def zhuhai(ctx, world):
    """A Zhuhai enforcement system and a certificate it covers."""
    key = subscribe(ctx, "ENF-ZH", regions=["440400"]).api_key
    number, _ = _issue(ctx, world.zhuhai)
    return key, number


def test_an_outcome_is_recorded_and_shown_with_its_certificate(ctx, client, zhuhai):
    key, number = zhuhai
    [issued] = [e for e in pull(client, key)["events"] if e["subject"] == number]
    answer = _send(client, key, _outcome(number, event_id=issued["id"]))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body == {"id": body["id"], "ref": "ENF-2026-0001", "created": True}
    [shown] = feedback.for_certificate(ctx, _certificate_id(ctx, number))
    assert (shown["subscriber"], shown["kind"], shown["kind_label"]) == (
        "ENF-ZH",
        "enforcement",
        "执法处置",
    )
    assert shown["occurred_on"] == "2026-11-19" and shown["detail"].startswith("现场检查")


def test_the_same_ref_again_returns_the_record_and_writes_nothing(ctx, client, zhuhai):
    key, number = zhuhai
    first = _send(client, key, _outcome(number)).json()
    entries = _ledger_count(ctx, number)
    again = _send(client, key, _outcome(number))
    assert again.status_code == 200
    assert again.json() == {"id": first["id"], "ref": first["ref"], "created": False}
    assert len(feedback.for_certificate(ctx, _certificate_id(ctx, number))) == 1
    assert _ledger_count(ctx, number) == entries == 1


def test_a_ref_reused_for_another_outcome_is_a_conflict(ctx, client, zhuhai):
    key, number = zhuhai
    assert _send(client, key, _outcome(number)).status_code == 201
    reused = _send(client, key, _outcome(number, kind="receipt", detail="已接收"))
    assert reused.status_code == 409
    assert reused.json()["code"] == "REF_REUSED"
    assert [e["field"] for e in reused.json()["errors"]] == ["ref"]
    assert len(feedback.for_certificate(ctx, _certificate_id(ctx, number))) == 1


def test_a_certificate_outside_the_grant_is_forbidden_like_one_that_does_not_exist(
    ctx, world, client, zhuhai
):
    key, _ = zhuhai
    elsewhere, _ = _issue(ctx, world.chongqing, exam_point="EP-500000-01")
    outside = _send(client, key, _outcome(elsewhere))
    unknown = _send(client, key, _outcome("T" + id_number()))
    assert outside.status_code == unknown.status_code == 403
    assert outside.json()["code"] == unknown.json()["code"] == "OUTSIDE_GRANT"
    assert outside.json()["detail"] == unknown.json()["detail"]
    assert feedback.for_certificate(ctx, _certificate_id(ctx, elsewhere)) == []


def test_an_employer_may_feed_back_only_on_the_workers_of_its_roster(ctx, world, client):
    key = subscribe(ctx, "EMP-1", uscc=USCC).api_key
    on_roster, worker = _issue(ctx, world.zhuhai)
    other, _ = _issue(ctx, world.zhuhai)
    rosters.replace_roster(ctx, "EMP-1", [{"id_number": worker, "name": "张三"}], "test")
    removed = _outcome(on_roster, ref="HR-1", kind="removed_from_duty", detail="已调离")
    assert _send(client, key, removed).status_code == 201
    assert _send(client, key, {**removed, "certificate_number": other}).status_code == 403


def test_an_event_of_another_certificate_is_not_found(ctx, world, client, zhuhai):
    key, number = zhuhai
    other, _ = _issue(ctx, world.zhuhai)
    [event] = [e for e in pull(client, key)["events"] if e["subject"] == other]
    answer = _send(client, key, _outcome(number, event_id=event["id"]))
    assert answer.status_code == 404
    assert [e["field"] for e in answer.json()["errors"]] == ["event_id"]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"kind": "arrested"}, ["kind"]),
        ({"kind": None, "detail": ""}, ["kind", "detail"]),
        ({"occurred_on": "2026-11-21"}, ["occurred_on"]),
        ({"occurred_on": "yesterday"}, ["occurred_on"]),
        ({"ref": "x" * 65}, ["ref"]),
        ({"event_id": 7}, ["event_id"]),
    ],
)
def test_a_bad_field_is_refused_naming_it_and_nothing_is_written(
    ctx, client, zhuhai, change, fields
):
    key, number = zhuhai
    answer = _send(client, key, _outcome(number, **change))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == fields
    assert feedback.for_certificate(ctx, _certificate_id(ctx, number)) == []


def test_a_body_that_is_not_an_object_or_a_missing_key_is_refused(client, zhuhai):
    key, number = zhuhai
    assert _send(client, key, ["not", "an", "object"]).status_code == 422
    assert _send(client, "osk_wrong", _outcome(number)).status_code == 401
    assert client.post("/api/v1/feedback", json=_outcome(number)).status_code == 401
