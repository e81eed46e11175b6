"""Issuance held on strong exam-data signals (issue 16, item 5; decision 0028), on both databases.

End to end: a run finds a strong signal on an exam point, a new result from it goes to review
with EXAM_DATA_ANOMALY and a link to the signal, an officer of the province releases the hold
with a reason, and the next result issues at once; the ledger holds both acts; clean results
elsewhere issue at once all along. Then the attacker's side.
"""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from opcert.domain.clock import SHANGHAI
from opcert.domain.errors import Conflict, FieldError, Forbidden, NotFound
from opcert.persistence.models import AnalyticsRun, AnalyticsSignal
from opcert.services.analytics import holds
from opcert.services.analytics import run as analytics
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.registry import parties as registry
from tests.integration.builders import make_result

OCTOBER_DAYS = [f"2026-10-{d}" for d in (13, 14, 15, 16, 19, 20, 21, 22, 23, 26)]
CLEAN_POINTS = [f"EP-440400-{n:02d}" for n in range(3, 13)]


def _october(rng: random.Random, point: str, heaped: bool) -> list[dict[str, object]]:
    """60 results of one exam point; a heaped point's theory scores all sit at 80 or 81."""
    return [
        make_result(
            exam_point=point,
            exam_date=rng.choice(OCTOBER_DAYS),
            theory_score=rng.choice((80, 81)) if heaped else rng.randint(55, 99),
            practical_score=rng.randint(70, 99),
            phone=None,
        )
        for _ in range(60)
    ]


@pytest.fixture
def heaping_point(ctx, world) -> InstitutionPrincipal:  # type: ignore[no-untyped-def]
    """Ten clean exam points of Zhuhai's exam centre and one of another centre whose October
    theory scores are bunched just above the pass mark, with their October results in."""
    made = registry.add_institution(
        ctx, code="EXAM-HEAP", name="某职业技能考试中心", region="440402", kind="exam"
    )
    heap = InstitutionPrincipal(made.institution_id, "EXAM-HEAP", "某职业技能考试中心")
    registry.add_exam_point(
        ctx, institution="EXAM-HEAP", code="EP-HEAP-01", name="拱北考试点", region="440402"
    )
    for code in CLEAN_POINTS:
        registry.add_exam_point(
            ctx, institution="EXAM-ZH", code=code, name=f"{code}考试点", region="440402"
        )
    rng = random.Random(16)
    for code in CLEAN_POINTS:
        submit_results(ctx, world.zhuhai, _october(rng, code, heaped=False))
    submit_results(ctx, heap, _october(rng, "EP-HEAP-01", heaped=True))
    return heap


def _ledger_kinds(ctx, subject: str) -> list[str]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return [entry.kind for entry in uow.ledger.entries_for(subject)]


def test_a_held_exam_points_results_wait_for_an_officer_until_the_hold_is_released(
    ctx, world, heaping_point
):  # type: ignore[no-untyped-def]
    found = analytics.run(ctx, date(2026, 10, 1), date(2026, 10, 31))
    heaping = [
        s for s in found.signals if s.test.unit == "EP-HEAP-01" and s.test.kind == "score_heaping"
    ]
    assert heaping and heaping[0].q_value < 0.01 and heaping[0].test.effect >= 2
    [hold] = holds.holds_in_scope(ctx, world.zhuhai_officer)[0]
    assert (hold.unit_type, hold.unit) == ("exam_point", "EP-HEAP-01")
    assert "score_heaping" in {g["kind"] for g in hold.grounds}

    held = submit_results(ctx, heaping_point, [make_result(exam_point="EP-HEAP-01")])[0]
    clean = submit_results(ctx, world.zhuhai, [make_result(exam_point=CLEAN_POINTS[0])])[0]
    assert held.outcome == "in_review"
    assert [r["reason"] for r in held.reasons] == ["EXAM_DATA_ANOMALY"]
    assert "80–82" in held.reasons[0]["message"] or "80" in held.reasons[0]["message"]
    assert clean.outcome == "issued" and clean.certificate_no

    with ctx.uow() as uow:
        application = uow.applications.get(held.application_id)
        assert application is not None
        [check] = [c for c in application.checks if c["check"] == "exam_data"]
        signal_ids = {s.id for s in uow.analytics.signals(found.run_id)}
    assert check["hold"] == str(hold.id) and int(check["signal"]) in signal_ids

    holds.release(ctx, world.zhuhai_officer, hold.id, "已调取考试视频核查，成绩真实，解除暂停")
    after = submit_results(ctx, heaping_point, [make_result(exam_point="EP-HEAP-01")])[0]
    assert after.outcome == "issued" and after.certificate_no
    assert _ledger_kinds(ctx, f"exam_data_hold:{hold.id}") == [
        "analytics.hold.placed",
        "analytics.hold.released",
    ]
    assert holds.holds_in_scope(ctx, world.zhuhai_officer)[0] == []


def test_a_second_run_over_the_span_does_not_hold_again_what_an_officer_released(
    ctx, world, heaping_point
):  # type: ignore[no-untyped-def]
    analytics.run(ctx, date(2026, 10, 1), date(2026, 10, 31))
    [hold] = holds.holds_in_scope(ctx, world.zhuhai_officer)[0]
    holds.release(ctx, world.zhuhai_officer, hold.id, "核查无问题")
    analytics.run(ctx, date(2026, 10, 1), date(2026, 10, 31))
    assert holds.holds_in_scope(ctx, world.zhuhai_officer)[0] == []
    outcome = submit_results(ctx, heaping_point, [make_result(exam_point="EP-HEAP-01")])[0]
    assert outcome.outcome == "issued"


# The attacker's side: a hold placed from a hand-made strong signal on 香洲考试点 (Zhuhai).


def _strong_signal(ctx, unit: str = "EP-440400-01", **overrides: object) -> int:  # type: ignore[no-untyped-def]
    at = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
    with ctx.uow() as uow:
        run = AnalyticsRun(
            date_from=date(2026, 10, 1),
            date_to=date(2026, 10, 31),
            fdr=0.1,
            tests=100,
            untested={},
            provisional=[],
            started_at=at,
            finished_at=at,
        )
        uow.analytics.add(run)
        uow.flush()
        values: dict[str, object] = {
            "run_id": run.id,
            "unit_type": "exam_point",
            "unit": unit,
            "kind": "volume_spike",
            "period": "2026-10",
            "statistic": 400.0,
            "p_value": 1e-9,
            "q_value": 1e-7,
            "effect": 4.0,
            "observed": 400.0,
            "reference": 100.0,
            "provisional": False,
            "explanation_zh": "香洲考试点 2026 年 10 月考试 400 人次，按往年同期应约 100 人次",
            "explanation_en": "EP-440400-01 examined 400 in October 2026 against about 100",
        }
        values.update(overrides)
        uow.analytics.add_signals([AnalyticsSignal(**values)])
        uow.commit()
        return run.id


@pytest.fixture
def held(ctx, world) -> int:  # type: ignore[no-untyped-def]
    run_id = _strong_signal(ctx)
    [hold_id] = holds.apply_holds(ctx, run_id, ["a signal"])
    return hold_id


def test_an_officer_of_another_province_cannot_release_the_hold_it_does_not_exist_for_him(
    ctx, world, held
):  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        holds.release(ctx, world.chongqing_officer, held, "不是我省的考试点")
    assert holds.holds_in_scope(ctx, world.chongqing_officer)[0] == []
    assert [h.id for h in holds.holds_in_scope(ctx, world.zhuhai_officer)[0]] == [held]


def test_an_inspector_cannot_release_a_hold(ctx, world, held):  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        holds.release(ctx, world.inspector, held, "执法人员想放行")
    with pytest.raises(Forbidden):  # refused before any look-up: an unknown id is the same
        holds.release(ctx, world.inspector, 999_999, "执法人员想放行")


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_an_empty_reason_is_refused_naming_the_field(ctx, world, held, reason):  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as refused:
        holds.release(ctx, world.zhuhai_officer, held, reason)
    assert refused.value.field == "reason"
    assert len(holds.holds_in_scope(ctx, world.zhuhai_officer)[0]) == 1


def test_a_reason_of_a_megabyte_is_refused_and_nothing_is_released(ctx, world, held):  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as refused:
        holds.release(ctx, world.zhuhai_officer, held, "查" * 1_000_000)
    assert (refused.value.field, refused.value.code) == ("reason", "TOO_LONG")
    assert _ledger_kinds(ctx, f"exam_data_hold:{held}") == ["analytics.hold.placed"]


@pytest.mark.parametrize("forged", ["abc", "-1", "0", "1e3", "99999999999999999999", "1; --"])
def test_a_forged_hold_id_is_not_found(ctx, world, held, forged):  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        holds.release(ctx, world.zhuhai_officer, forged, "理由")


def test_a_hold_released_twice_is_a_conflict_and_one_ledger_entry(ctx, world, held):  # type: ignore[no-untyped-def]
    holds.release(ctx, world.guangdong_officer, held, "省厅核查后解除")
    with pytest.raises(Conflict):
        holds.release(ctx, world.zhuhai_officer, held, "再解除一次")
    assert _ledger_kinds(ctx, f"exam_data_hold:{held}") == [
        "analytics.hold.placed",
        "analytics.hold.released",
    ]


def test_a_weak_signal_holds_nothing(ctx, world):  # type: ignore[no-untyped-def]
    small_effect = _strong_signal(ctx, effect=1.3)  # a volume 30 % above its season
    not_sure = _strong_signal(ctx, unit="EP-440400-02", q_value=0.05)
    province = _strong_signal(ctx, unit="440000", unit_type="province")
    for run_id in (small_effect, not_sure, province):
        assert holds.apply_holds(ctx, run_id, ["a signal"]) == []
    outcome = submit_results(ctx, world.zhuhai, [make_result()])[0]
    assert outcome.outcome == "issued"


def test_a_hold_on_an_institution_holds_every_one_of_its_exam_points(ctx, world):  # type: ignore[no-untyped-def]
    run_id = _strong_signal(ctx, unit="EXAM-ZH", unit_type="institution")
    holds.apply_holds(ctx, run_id, ["a signal"])
    outcomes = submit_results(
        ctx,
        world.zhuhai,
        [make_result(exam_point="EP-440400-01"), make_result(exam_point="EP-440400-02")],
    )
    assert [o.outcome for o in outcomes] == ["in_review", "in_review"]
    elsewhere = submit_results(ctx, world.chongqing, [make_result(exam_point="EP-500000-01")])
    assert elsewhere[0].outcome == "issued"


# The exam-point register (decision 0028): refused at intake, recorded by the CLI.


def test_an_accreditation_ended_before_the_exam_refuses_the_result_and_stores_nothing(
    ctx, world, platform, monkeypatch
):  # type: ignore[no-untyped-def]
    from tests.integration.cli_runner import cli_of

    with cli_of(platform, monkeypatch) as run:
        ended = run("exam-points", "withdraw", "EP-440400-01", "--to", "2026年11月18日")
        assert ended.exit_code == 0, ended.output
        listed = run("exam-points", "register", "EP-440400-01")
    assert "2026-11-18" in listed.output
    row = make_result(exam_point="EP-440400-01", exam_date="2026-11-19")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "rejected"
    assert [(e["field"], e["code"]) for e in outcome.errors] == [
        ("exam_point", "EXAM_POINT_NOT_ACCREDITED")
    ]
    with ctx.uow() as uow:
        assert uow.results.stored(world.zhuhai.id, {row["ref"]}) == {}
    earlier = make_result(exam_point="EP-440400-01", exam_date="2026-11-18")
    assert submit_results(ctx, world.zhuhai, [earlier])[0].outcome == "issued"


def test_welding_is_accredited_only_with_real_equipment_and_then_accepted(
    ctx, world, platform, monkeypatch
):  # type: ignore[no-untyped-def]
    from tests.integration.cli_runner import cli_of

    welding = make_result(exam_point="EP-440400-02", item="2.1")
    assert submit_results(ctx, world.zhuhai, [welding])[0].outcome == "rejected"
    with cli_of(platform, monkeypatch) as run:
        refused = run(
            "exam-points", "accredit", "EP-440400-02", "--items", "2.1", "--no-real-equipment"
        )
        assert refused.exit_code != 0
        assert "real_equipment" in refused.output and "实物设备" in refused.output
        bad_item = run("exam-points", "accredit", "EP-440400-02", "--items", "99.1")
        assert bad_item.exit_code != 0
        done = run(
            "exam-points", "accredit", "EP-440400-02", "--items", "2.1", "--from", "2026-11-01"
        )
        assert done.exit_code == 0, done.output
    assert (
        submit_results(ctx, world.zhuhai, [make_result(**{**welding, "ref": "W-2"})])[0].outcome
        == "issued"
    )
    early = make_result(exam_point="EP-440400-02", item="2.1", exam_date="2026-10-30")
    assert submit_results(ctx, world.zhuhai, [early])[0].outcome == "rejected"
