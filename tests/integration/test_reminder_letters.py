"""Reminder letters (提醒函): who may issue, read and answer them, one letter per province and
month, a revision when the signals change, replies and the ledger; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import select

from opcert.domain.errors import Conflict, FieldError, Forbidden, NotFound
from opcert.persistence.models import AnalyticsRun, AnalyticsSignal, LedgerEntry
from opcert.services.analytics import letters as reminder_letters
from opcert.services.kernel.ledger import verify
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.registry import parties as registry
from tests.integration.conftest import START

PERIOD = "2026-10"
GUANGDONG, CHONGQING = "440000", "500000"


def officer(ctx, username: str, region: str, role: str) -> OfficerPrincipal:  # type: ignore[no-untyped-def]
    registry.add_officer(ctx, username=username, region=region, role=role, password="pw 2026 ok!")
    with ctx.uow() as uow:
        row = uow.registry.officer_by_username(username)
        return OfficerPrincipal(row.id, row.username, row.region, row.role)


@pytest.fixture
def national(ctx, world) -> OfficerPrincipal:  # type: ignore[no-untyped-def]
    return officer(ctx, "ministry", "000000", "analyst")


def signal(unit_type: str, unit: str, kind: str = "pass_rate", **figures: float) -> dict:
    values = {"statistic": 4.2, "p_value": 1e-6, "q_value": 1e-4, "effect": 1.4}
    values |= {"observed": 140.0, "reference": 100.0, **figures}
    return {"unit_type": unit_type, "unit": unit, "kind": kind, **values}


def record_run(ctx, signals: list[dict], period: str = PERIOD, provisional: bool = False) -> int:  # type: ignore[no-untyped-def]
    """A finished analysis run over the last year with these signals in ``period``."""
    now = ctx.now()
    with ctx.uow() as uow:
        run = AnalyticsRun(
            date_from=date(2025, 11, 1),
            date_to=START.date(),
            fdr=0.1,
            tests=1000,
            untested={},
            provisional=["2026-11"],
            started_at=now,
            finished_at=now,
        )
        uow.session.add(run)
        uow.session.flush()
        for s in signals:
            uow.session.add(
                AnalyticsSignal(
                    run_id=run.id,
                    period=period,
                    provisional=provisional,
                    explanation_zh=f"{s['unit']} {period} 说明",
                    explanation_en=f"{s['unit']} {period} explained",
                    **s,
                )
            )
        uow.commit()
        return run.id


TWO_PROVINCES = [
    signal("exam_point", "EP-440400-01", "score_heaping", observed=0.41, reference=0.06),
    signal("city", "440400", "volume_spike", observed=900, reference=300, effect=3.0),
    signal("exam_point", "EP-500000-01"),
]


def ledger(ctx, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == kind)).all()
        return [json.loads(r.body) for r in rows]


# --- the attacker's tests first ---


def test_a_province_officer_cannot_issue_letters(ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    analyst = officer(ctx, "gd-analyst", GUANGDONG, "analyst")
    with pytest.raises(Forbidden) as refused:
        reminder_letters.issue_letters(ctx, PERIOD, analyst)
    assert refused.value.code == "LETTERS_NATIONAL_ONLY"
    with pytest.raises(Forbidden) as refused:
        reminder_letters.issue_letters(ctx, PERIOD, world.guangdong_officer)
    assert refused.value.code == "ROLE_FORBIDDEN"
    assert reminder_letters.letters(ctx, None) == []


def test_an_inspector_and_a_national_approver_cannot_issue_letters(ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    approver = officer(ctx, "nat-approver", "000000", "approver")
    for who in (world.inspector, approver):
        with pytest.raises(Forbidden):
            reminder_letters.issue_letters(ctx, PERIOD, who)
    assert reminder_letters.letters(ctx, None) == []


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ("2026-13", "PERIOD_INVALID"),
        ("10/2026", "PERIOD_INVALID"),
        ("2026-10-01; DROP TABLE reminder_letters", "PERIOD_INVALID"),
        ("9" * 5000, "PERIOD_INVALID"),
        ("2026-11", "PERIOD_OPEN"),
        ("2026-12", "PERIOD_OPEN"),
        ("2024-03", "NO_ANALYSIS_RUN"),
    ],
)
def test_a_month_that_cannot_have_letters_is_refused_naming_the_period(
    ctx, world, national, period, code
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    with pytest.raises(FieldError) as refused:
        reminder_letters.issue_letters(ctx, period, national)
    assert (refused.value.field, refused.value.code) == ("period", code)
    assert len(refused.value.message_zh) < 200
    assert reminder_letters.letters(ctx, None) == []


def test_provisional_signals_are_not_written_into_a_letter(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES, provisional=True)
    with pytest.raises(FieldError) as refused:
        reminder_letters.issue_letters(ctx, PERIOD, national)
    assert refused.value.code == "SIGNALS_PROVISIONAL"


def test_an_officer_of_another_province_or_a_city_does_not_see_the_letter(
    ctx, world, national
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    issued = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    guangdong = issued[GUANGDONG].id
    for outsider in (world.chongqing_officer, world.zhuhai_officer):
        with pytest.raises(NotFound):
            reminder_letters.letter(ctx, outsider, guangdong)
        with pytest.raises(NotFound):
            reminder_letters.letter_pdf(ctx, outsider, guangdong)
        with pytest.raises(NotFound):
            reminder_letters.reply(ctx, outsider, guangdong, 1, "rectified", "已整改")
    assert [x.province for x in reminder_letters.letters(ctx, world.chongqing_officer)] == [
        CHONGQING
    ]
    assert reminder_letters.letters(ctx, world.zhuhai_officer) == []


def test_an_unknown_letter_looks_the_same_as_another_provinces(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    reminder_letters.issue_letters(ctx, PERIOD, national)
    with pytest.raises(NotFound) as unknown:
        reminder_letters.letter(ctx, world.guangdong_officer, 2**31 - 1)
    assert unknown.value.code == "LETTER_NOT_FOUND"


def test_an_inspector_may_neither_read_nor_answer_a_letter(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    [first, *_] = reminder_letters.issue_letters(ctx, PERIOD, national)
    with pytest.raises(Forbidden):
        reminder_letters.letters(ctx, world.inspector)
    with pytest.raises(Forbidden):
        reminder_letters.reply(ctx, world.inspector, first.id, 1, "rectified", "已整改")


def test_the_ministry_cannot_answer_its_own_letter(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    [first, *_] = reminder_letters.issue_letters(ctx, PERIOD, national)
    admin = officer(ctx, "nat-admin", "000000", "admin")
    with pytest.raises(Forbidden) as refused:
        reminder_letters.reply(ctx, admin, first.id, 1, "no_issue", "无问题")
    assert refused.value.code == "LETTER_REPLY_PROVINCE_ONLY"
    assert not reminder_letters.letter(ctx, admin, first.id).may_reply


@pytest.mark.parametrize(
    ("kind", "text", "field"),
    [
        ("", "已整改", "kind"),
        ("approved", "已整改", "kind"),
        ("rectified", "   ", "text"),
        ("rectified", "字" * 2001, "text"),
    ],
)
def test_a_reply_without_a_kind_or_a_text_is_refused_naming_the_field(
    ctx, world, national, kind, text, field
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    letter = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    with pytest.raises(FieldError) as refused:
        reminder_letters.reply(ctx, world.guangdong_officer, letter[GUANGDONG].id, 1, kind, text)
    assert refused.value.field == field
    assert ledger(ctx, "analytics.letter.replied") == []


def test_a_reply_to_an_item_the_letter_does_not_have_is_not_found(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    letter = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    with pytest.raises(NotFound):
        reminder_letters.reply(
            ctx, world.guangdong_officer, letter[GUANGDONG].id, 9, "rectified", "x"
        )


# --- what the letters do ---


def test_each_province_with_signals_gets_one_numbered_letter_with_a_working_day_deadline(
    ctx, world, national
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    issued = reminder_letters.issue_letters(ctx, PERIOD, national)
    assert [(x.province, x.signals, x.created) for x in issued] == [
        (GUANGDONG, 2, True),
        (CHONGQING, 1, True),
    ]
    assert [x.number for x in issued] == [
        "应急考提〔2026〕第 0001 号",
        "应急考提〔2026〕第 0002 号",
    ]
    # Friday 2026-11-20 + 10 working days: the two weeks after it
    assert {x.reply_due_on for x in issued} == {date(2026, 12, 4)}
    entries = ledger(ctx, "analytics.letter.issued")
    assert [e["subject"] for e in entries] == [x.number for x in issued]
    for entry, letter in zip(entries, issued, strict=True):
        _, pdf = reminder_letters.letter_pdf(ctx, national, letter.id)
        assert entry["data"]["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
        assert entry["actor"] == "officer:ministry" and pdf.startswith(b"%PDF")


def test_issuing_the_same_month_again_returns_the_same_letters(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    first = reminder_letters.issue_letters(ctx, PERIOD, national)
    again = reminder_letters.issue_letters(ctx, PERIOD, national)
    assert [x.id for x in again] == [x.id for x in first]
    assert not any(x.created for x in again)
    assert len(ledger(ctx, "analytics.letter.issued")) == 2


def test_a_later_run_with_other_signals_issues_a_revision_that_supersedes_the_letter(
    ctx, world, national
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    first = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    ctx.clock.set(START.replace(day=23))
    record_run(ctx, [*TWO_PROVINCES, signal("exam_point", "EP-440400-02", "off_day_exams")])
    second = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    assert second[CHONGQING].id == first[CHONGQING].id and not second[CHONGQING].created
    revised = second[GUANGDONG]
    assert (revised.revision, revised.signals, revised.number) == (
        2,
        3,
        "应急考提〔2026〕第 0003 号",
    )
    detail = reminder_letters.letter(ctx, world.guangdong_officer, revised.id)
    assert detail.supersedes == first[GUANGDONG].number
    old = reminder_letters.letter(ctx, world.guangdong_officer, first[GUANGDONG].id)
    assert old.letter.superseded
    with pytest.raises(Conflict):
        reminder_letters.reply(
            ctx, world.guangdong_officer, first[GUANGDONG].id, 1, "rectified", "已整改"
        )


def test_a_month_without_signals_issues_nothing(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, [])
    assert reminder_letters.issue_letters(ctx, PERIOD, national) == []
    assert ledger(ctx, "analytics.letter.issued") == []


def test_the_provinces_reply_is_shown_on_the_letter_and_kept_in_the_ledger(
    ctx, world, national
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    letter = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    gd = world.guangdong_officer
    reminder_letters.reply(
        ctx, gd, letter[GUANGDONG].id, 2, "explained", "  当月集中补考，已核实。 "
    )
    detail = reminder_letters.letter(ctx, gd, letter[GUANGDONG].id)
    assert detail.may_reply and detail.letter.replied == 1
    answered = detail.signals[1]
    assert [(r.kind_zh, r.text, r.officer) for r in answered.replies] == [
        ("情况说明", "当月集中补考，已核实。", "officer:gd")
    ]
    assert detail.signals[0].replies == []
    [entry] = ledger(ctx, "analytics.letter.replied")
    assert entry["subject"] == letter[GUANGDONG].number
    assert entry["data"]["kind"] == "explained" and entry["data"]["unit"] == "440400"
    assert entry["data"]["text"] == "当月集中补考，已核实。"
    with ctx.uow() as uow:
        assert verify(uow).ok  # the chain still holds with the letters' entries in it
    # the national officer sees the answer too
    assert reminder_letters.letters(ctx, national)[0].replied in (0, 1)
    assert {x.replied for x in reminder_letters.letters(ctx, national)} == {0, 1}


def test_the_letter_keeps_its_signals_after_the_run_is_replaced(ctx, world, national) -> None:  # type: ignore[no-untyped-def]
    run_id = record_run(ctx, TWO_PROVINCES)
    letter = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD, national)}
    with ctx.uow() as uow:
        uow.analytics.delete_runs(date(2025, 11, 1), START.date())
        uow.commit()
        assert uow.analytics.signals(run_id) == []
    detail = reminder_letters.letter(ctx, national, letter[GUANGDONG].id)
    assert [s.unit for s in detail.signals] == ["EP-440400-01", "440400"]


def test_an_issuer_that_loses_a_race_reads_again_and_returns_the_winners_letters(
    ctx, world, national, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from opcert.persistence.unit_of_work import ConcurrentWriteConflict

    record_run(ctx, TWO_PROVINCES)
    winner = reminder_letters.issue_letters(ctx, PERIOD, national)
    real, calls = reminder_letters._issue_once, []

    def lose_once(*args):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise ConcurrentWriteConflict("uq_reminder_letters_year_serial")
        return real(*args)

    monkeypatch.setattr(reminder_letters, "_issue_once", lose_once)
    again = reminder_letters.issue_letters(ctx, PERIOD, national)
    assert len(calls) == 2 and [x.id for x in again] == [x.id for x in winner]
