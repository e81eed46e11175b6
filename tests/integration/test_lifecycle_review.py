"""Review (复审) under Order 30, renewal, and the acts on a certificate, walked with exact dates."""

from __future__ import annotations

from datetime import date

import pytest

from opcert.domain.errors import Conflict, FieldError
from opcert.services.holders import certificates as holders
from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts, renewal, reviews
from opcert.services.registry import parties as registry
from opcert.services.verification import query as certificates
from tests.integration.builders import make_result
from tests.integration.lifecycle_helpers import (
    at,
    claims,
    issue_on,
    status_value,
    three_views,
)


@pytest.fixture
def trainer(ctx, world) -> str:
    registry.add_institution(
        ctx, code="TRAIN-ZH", name="珠海市安全培训中心", region="440402", kind="training"
    )
    return "TRAIN-ZH"


def apply(ctx, number, item, trainer, **kw):
    return reviews.apply_for_review(
        ctx, number, item, training_hours=kw.pop("hours", 8), training_institution=trainer, **kw
    )


def test_after_a_passed_review_the_old_credential_is_superseded_and_the_new_one_valid_with_the_review_date(
    ctx, clock, world, client, trainer
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    old = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2025, 1, 9)))  # 60 days before 2025-03-10: the window opens
    filed = apply(ctx, number, item, trainer)
    # Spring Festival 2025: 28 Jan-4 Feb off, 26 Jan and 8 Feb worked.
    assert (filed.due_on, filed.decision_due_on) == (date(2025, 3, 10), date(2025, 2, 12))
    clock.set(at(date(2025, 2, 12)))
    decision = reviews.decide_review(ctx, number, item, passed=True)
    assert (decision.status, decision.reviewed_on) == ("passed", date(2025, 2, 12))
    new = certificates.current_credential(ctx, number, item)
    assert claims(new)["rvo"] == "2025-02-12"
    assert "rvd" not in claims(new)  # next due 2028-03-10 falls after the switch: none owed
    assert claims(new)["vto"] == claims(old)["vto"] == "2028-03-10"
    for day in (date(2025, 2, 12), date(2025, 3, 11), date(2027, 1, 1)):
        clock.set(at(day))
        assert three_views(ctx, client, row, new) == ("valid", "VALID", "VALID")
        assert client.post("/api/v1/verify", json={"payload": old}).json()["verdict"] == (
            "SUPERSEDED"
        )
        assert status_value(client, old) == 2
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert shown["reviewed_on"] == "2025-02-12"


def test_a_review_is_refused_before_its_window_and_when_mem19_made_it_unnecessary(
    ctx, clock, world, trainer
):
    number, item, _ = issue_on(ctx, clock, world, date(2022, 3, 10))
    clock.set(at(date(2025, 1, 8)))
    with pytest.raises(Conflict) as early:
        apply(ctx, number, item, trainer)
    assert early.value.code == "REVIEW_WINDOW"
    later, item2, _ = issue_on(ctx, clock, world, date(2023, 9, 1))
    clock.set(at(date(2026, 8, 1)))
    with pytest.raises(Conflict) as unneeded:
        apply(ctx, later, item2, trainer)
    assert unneeded.value.code == "REVIEW_NOT_NEEDED"


def test_review_training_under_eight_hours_or_without_a_training_institution_is_refused(
    ctx, clock, world, trainer
):
    number, item, _ = issue_on(ctx, clock, world, date(2022, 3, 10))
    clock.set(at(date(2025, 2, 1)))
    with pytest.raises(FieldError) as short:
        apply(ctx, number, item, trainer, hours=7.5)
    assert short.value.field == "training_hours"
    with pytest.raises(FieldError) as nobody:
        apply(ctx, number, item, "EXAM-ZH")
    assert nobody.value.field == "training_institution"


def test_a_pending_review_decided_after_the_due_date_does_not_lapse_the_certificate_meanwhile(
    ctx, clock, world, client, trainer
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2025, 3, 10)))
    apply(ctx, number, item, trainer)
    clock.set(at(date(2025, 3, 20)))
    assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")


def test_a_failed_review_lapses_the_certificate_at_once_on_health_grounds(
    ctx, clock, world, client, trainer
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2025, 2, 1)))
    apply(ctx, number, item, trainer)
    decision = reviews.decide_review(ctx, number, item, passed=False, ground="health")
    assert decision.status == "failed"
    assert three_views(ctx, client, row, text) == ("lapsed", "REVOKED", "REVOKED")


def test_a_first_failure_for_violations_means_retraining_and_a_second_failure_lapses(
    ctx, clock, world, client, trainer
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    clock.set(at(date(2025, 2, 1)))
    apply(ctx, number, item, trainer)
    first = reviews.decide_review(ctx, number, item, passed=False, ground="violations")
    assert first.status == "retrain"
    clock.set(at(date(2025, 3, 1)))
    apply(ctx, number, item, trainer)
    second = reviews.decide_review(ctx, number, item, passed=False, ground="training")
    assert second.status == "failed"


def test_review_decision_deadlines_count_working_days_across_spring_festival_and_national_day(
    ctx, clock, world, trainer
):
    spring, item, _ = issue_on(ctx, clock, world, date(2023, 3, 20))
    clock.set(at(date(2026, 2, 10)))  # Spring Festival 2026: 15-23 Feb off, 14 and 28 Feb worked
    assert apply(ctx, spring, item, trainer).decision_due_on == date(2026, 3, 16)
    autumn, item2, _ = issue_on(ctx, clock, world, date(2022, 10, 15))
    clock.set(at(date(2025, 9, 26)))  # National Day 2025: 1-8 Oct off, 28 Sep and 11 Oct worked
    assert apply(ctx, autumn, item2, trainer).decision_due_on == date(2025, 10, 30)


def test_ten_compliant_years_extend_the_review_to_six_years_on_a_new_version(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2021, 5, 1))
    clock.set(at(date(2023, 6, 1)))
    with pytest.raises(Conflict):
        reviews.grant_extended_review(ctx, number, item, years_in_trade=9, violations=0)
    due = reviews.grant_extended_review(ctx, number, item, years_in_trade=12, violations=0)
    assert due == date(2027, 5, 1)
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2024, 5, 2)))  # the 3-year due date has passed: no lapse
    assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")


def test_a_renewal_gives_new_validity_under_mem19_and_supersedes_the_old_credential(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2023, 9, 1))
    old = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2029, 7, 2)))
    with pytest.raises(Conflict):
        renewal.renew(ctx, number, item)
    clock.set(at(date(2029, 7, 3)))  # 60 days before 2029-09-01
    done = renewal.renew(ctx, number, item)
    assert (done.valid_from, done.valid_to, done.review_due_on, done.rule_set) == (
        date(2029, 7, 3),
        date(2035, 7, 3),
        None,
        "MEM19",
    )
    new = certificates.current_credential(ctx, number, item)
    assert client.post("/api/v1/verify", json={"payload": old}).json()["verdict"] == "SUPERSEDED"
    clock.set(at(date(2030, 1, 1)))
    assert three_views(ctx, client, row, new) == ("valid", "VALID", "VALID")


def test_a_person_revoked_for_deception_gets_no_new_certificate_for_three_years(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    text = certificates.current_credential(ctx, number, item)
    done = acts.revoke(ctx, number, item, "以欺骗手段取得", ground="deception")
    assert done.banned_until == date(2029, 11, 20)
    assert three_views(ctx, client, row, text) == ("revoked", "REVOKED", "REVOKED")
    again = dict(row, ref="R-AGAIN-1", item="1.1")
    for day, ref in ((date(2027, 6, 1), "R-AGAIN-1"), (date(2029, 11, 20), "R-AGAIN-2")):
        clock.set(at(day))
        again.update(ref=ref, exam_date=date.fromordinal(day.toordinal() - 1).isoformat())
        [outcome] = submit_results(ctx, world.zhuhai, [again])
        assert outcome.outcome != "issued"
        assert "BAN" in str(outcome.reasons).upper()
    clock.set(at(date(2029, 11, 21)))
    again.update(ref="R-AGAIN-3", exam_date="2029-11-20")
    [outcome] = submit_results(ctx, world.zhuhai, [again])
    assert outcome.outcome == "issued"


def test_suspension_shows_status_3_and_reinstatement_brings_back_0(ctx, clock, world, client):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    text = certificates.current_credential(ctx, number, item)
    acts.suspend(ctx, number, item, "涉嫌违章，调查中")
    assert three_views(ctx, client, row, text) == ("suspended", "SUSPENDED", "SUSPENDED")
    assert status_value(client, text) == 3
    acts.reinstate(ctx, number, item, "调查结束")
    assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")


def test_a_cancellation_voids_the_credential_and_appears_in_the_public_list(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    text = certificates.current_credential(ctx, number, item)
    acts.cancel(ctx, number, item, "death")
    assert three_views(ctx, client, row, text) == ("cancelled", "REVOKED", "REVOKED")
    body = client.get("/api/v1/cancellations", params={"page": 1, "per_page": 10}).json()
    assert body["total"] == 1
    [entry] = body["cancellations"]
    assert (entry["ground"], entry["cancelled_on"]) == ("death", "2026-11-20")
    assert row["id_number"] not in entry["number"]


def test_a_name_correction_and_a_replacement_each_supersede_the_previous_version(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20), name="张叁")
    first = certificates.current_credential(ctx, number, item)
    assert acts.correct(ctx, number, item, name="张三", reason="户籍姓名更正").version == 2
    second = certificates.current_credential(ctx, number, item)
    assert claims(second)["nam"] == "张三"
    assert acts.replace(ctx, number, item, "lost").version == 3
    third = certificates.current_credential(ctx, number, item)
    verdicts = [
        client.post("/api/v1/verify", json={"payload": t}).json()["verdict"]
        for t in (first, second, third)
    ]
    assert verdicts == ["SUPERSEDED", "SUPERSEDED", "VALID"]
    assert three_views(ctx, client, dict(row, name="张三"), third) == ("valid", "VALID", "VALID")


def test_returning_after_more_than_six_months_away_requires_the_practical_exam_again(
    ctx, clock, world
):
    number, item, _ = issue_on(ctx, clock, world, date(2026, 11, 20))
    clock.set(at(date(2027, 6, 1)))
    assert acts.return_to_work(ctx, number, item, away_from=date(2026, 12, 1)) is False
    assert acts.return_to_work(ctx, number, item, away_from=date(2026, 11, 30)) is True
    assert acts.practical_retaken(ctx, number, item, score=85) is True


def test_a_result_row_for_another_item_is_unaffected(ctx, world):
    [outcome] = submit_results(ctx, world.zhuhai, [make_result()])
    assert outcome.outcome == "issued"


def test_the_holders_own_page_shows_a_pending_review_as_the_public_query_does(
    ctx, clock, world, trainer
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    clock.set(at(date(2025, 3, 10)))
    apply(ctx, number, item, trainer)
    clock.set(at(date(2025, 3, 20)))  # past the due date, the review still undecided
    [public] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    [own] = holders.my_certificates(ctx, row["id_number"])
    assert public["status"] == own["status"] == "valid"
    assert own == public
