"""Exam results through the API: issued at once, per-row outcomes, and bad input named by field."""

from __future__ import annotations

import json

import pytest

from opcert.persistence.models import Application, Certificate, ExamResult
from tests.integration.builders import id_number, make_result, with_check_digit


def post(client, world, rows, key=None):
    return client.post("/api/v1/exam-results", json={"results": rows}, headers=world.headers(key))


def count(platform, model) -> int:
    with platform.ctx.uow() as uow:
        return uow.session.query(model).count()


def test_a_passing_result_is_issued_and_the_public_query_shows_it_at_once(client, world):
    row = make_result(name="李四", item="1.2")
    response = post(client, world, [row])
    assert response.status_code == 200
    outcome = response.json()["results"][0]
    assert outcome["outcome"] == "issued", outcome
    assert outcome["certificate_no"] == "T" + row["id_number"]
    assert outcome["application_id"]

    query = client.get(
        "/api/v1/certificates", params={"id_number": row["id_number"], "name": "李四"}
    )
    assert query.status_code == 200
    [certificate] = query.json()["certificates"]
    assert certificate["number"] == "T" + row["id_number"]
    assert certificate["item_name"] == "低压电工作业"
    assert certificate["status"] == "valid"
    assert certificate["valid_from"] == "2026-11-20"
    assert certificate["valid_to"] == "2032-11-20"
    assert certificate["review_due_on"] is None  # MEM Order 19: no review
    assert certificate["authority_name"] == "珠海市应急管理局"


def test_a_failing_row_and_an_invalid_row_come_back_failed_and_rejected_in_the_same_batch(
    client, world, platform
):
    good, failing = make_result(), make_result(theory_score=72)
    invalid = make_result(id_number="110105194912310021", theory_score=140)
    response = post(client, world, [good, failing, invalid])
    assert response.status_code == 200
    outcomes = response.json()["results"]
    assert [o["outcome"] for o in outcomes] == ["issued", "failed", "rejected"]
    assert outcomes[1]["next_step"]["step"] == "retake_theory"
    fields = {e["field"] for e in outcomes[2]["errors"]}
    assert fields == {"id_number", "theory_score"}
    assert count(platform, ExamResult) == 2  # the rejected row stored nothing


def test_sending_the_same_ref_again_returns_the_stored_outcome_and_changes_nothing(
    client, world, platform
):
    row = make_result()
    first = post(client, world, [row]).json()["results"][0]
    again = post(client, world, [row]).json()["results"][0]
    assert again == first
    assert count(platform, Certificate) == 1
    assert count(platform, Application) == 1


def test_the_same_ref_with_different_content_is_409_and_nothing_in_the_batch_is_stored(
    client, world, platform
):
    row = make_result()
    post(client, world, [row])
    changed = {**row, "theory_score": 95}
    response = post(client, world, [make_result(), changed])
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "results[1].ref"
    assert count(platform, ExamResult) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"id_number": "11010519491231002Y"}, "id_number", "ID_FORMAT"),
        ({"id_number": "110105194912310021"}, "id_number", "ID_CHECKSUM"),
        ({"id_number": with_check_digit("11010519491331002")}, "id_number", "ID_BIRTH_DATE"),
        ({"name": ""}, "name", "NAME_EMPTY"),
        ({"name": "张" * 51}, "name", "NAME_TOO_LONG"),
        ({"item": "12.9"}, "item", "ITEM_UNKNOWN"),
        ({"theory_score": 101}, "theory_score", "SCORE_OUT_OF_RANGE"),
        ({"practical_score": -1}, "practical_score", "SCORE_OUT_OF_RANGE"),
        ({"theory_score": "eighty"}, "theory_score", "SCORE_NOT_NUMBER"),
        ({"exam_date": "2026-11-21"}, "exam_date", "DATE_IN_FUTURE"),
        ({"exam_date": "2026-02-30"}, "exam_date", "DATE_FORMAT"),
        ({"exam_point": "EP-NOWHERE"}, "exam_point", "EXAM_POINT_UNKNOWN"),
        ({"exam_point": "EP-500000-01"}, "exam_point", "EXAM_POINT_NOT_YOURS"),
    ],
)
def test_each_kind_of_bad_row_is_rejected_naming_its_field_and_stores_nothing(
    client, world, platform, overrides, field, code
):
    response = post(client, world, [make_result(**overrides)])
    assert response.status_code == 200
    [outcome] = response.json()["results"]
    assert outcome["outcome"] == "rejected"
    assert [(e["field"], e["code"]) for e in outcome["errors"]] == [(field, code)]
    assert outcome["errors"][0]["message"]
    assert count(platform, ExamResult) == 0


def test_a_missing_api_key_is_401_naming_the_authorization_header(client, world):
    response = client.post("/api/v1/exam-results", json={"results": [make_result()]})
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"


def test_a_wrong_api_key_is_401(client, world):
    response = post(client, world, [make_result()], key="opk_not-a-real-key")
    assert response.status_code == 401
    assert response.json()["code"] == "API_KEY_INVALID"


def test_malformed_json_is_400_problem_json(client, world):
    response = client.post(
        "/api/v1/exam-results", content=b'{"results": [', headers=world.headers()
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "MALFORMED_JSON"


def test_a_body_without_results_is_422_naming_the_field(client, world):
    response = client.post("/api/v1/exam-results", json={"rows": []}, headers=world.headers())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "results"


def test_a_batch_over_the_limit_is_413_and_states_the_limit(client, world, platform):
    rows = [make_result() for _ in range(platform.ctx.batch_limit + 1)]
    response = post(client, world, rows)
    assert response.status_code == 413
    body = response.json()
    assert body["limit"] == platform.ctx.batch_limit
    assert str(platform.ctx.batch_limit) in body["detail"]
    assert count(platform, ExamResult) == 0


def test_a_row_that_is_not_an_object_is_rejected_and_the_rest_go_on(client, world):
    response = post(client, world, ["not a row", make_result()])
    assert [o["outcome"] for o in response.json()["results"]] == ["rejected", "issued"]


def test_a_historical_division_code_is_accepted_and_sent_to_review(client, world):
    # 440524 (潮阳县, abolished) is the standard's own example; real IDs keep such codes.
    row = make_result(
        id_number=id_number(division="441399", born=__import__("datetime").date(1985, 1, 1))
    )
    outcome = post(client, world, [row]).json()["results"][0]
    assert outcome["outcome"] == "in_review"
    assert [r["reason"] for r in outcome["reasons"]] == ["ID_DIVISION_UNKNOWN"]


def test_a_candidate_past_retirement_age_on_the_exam_date_goes_to_review(client, world):
    row = make_result(id_number=id_number(born=__import__("datetime").date(1960, 1, 1)))
    outcome = post(client, world, [row]).json()["results"][0]
    assert outcome["outcome"] == "in_review"
    assert "AGE_ABOVE_RETIREMENT" in [r["reason"] for r in outcome["reasons"]]


def test_a_result_from_an_exam_point_not_accredited_for_the_item_is_refused_naming_the_point(
    client, world
):
    # The exam-point register (decision 0028): refused, not sent to review, and nothing stored.
    outcome = post(client, world, [make_result(item="2.1", exam_point="EP-440400-02")]).json()[
        "results"
    ][0]
    assert outcome["outcome"] == "rejected"
    assert [(e["field"], e["code"]) for e in outcome["errors"]] == [
        ("exam_point", "EXAM_POINT_NOT_ACCREDITED")
    ]
    assert "未经认定" in outcome["errors"][0]["message"]


def test_a_second_pass_for_an_item_already_held_goes_to_review(client, world):
    first = make_result()
    post(client, world, [first])
    again = make_result(id_number=first["id_number"])
    outcome = post(client, world, [again]).json()["results"][0]
    assert outcome["outcome"] == "in_review"
    assert [r["reason"] for r in outcome["reasons"]] == ["ALREADY_CERTIFIED"]


def test_the_application_records_the_health_commitment_and_every_transition(
    client, world, platform
):
    outcome = post(client, world, [make_result()]).json()["results"][0]
    with platform.ctx.uow() as uow:
        application = uow.applications.get(outcome["application_id"])
        assert application.commitment["kind"] == "health"
        steps = [(t["from_status"], t["to_status"]) for t in application.history]
        assert steps == [
            (None, "filed"),
            ("filed", "checking"),
            ("checking", "approved"),
            ("approved", "issued"),
        ]
        assert all(t["actor"] and t["at"] for t in application.history)
        assert application.catalogue_version == "2018"
        assert json.dumps(application.checks)
