"""One minting path: a certificate issued, renewed, re-issued or synthesised carries the claims
its facts give, whichever path signed it (decision 0013)."""

from __future__ import annotations

from datetime import date

from opcert.domain.rules import SWITCH_DATE as SWITCH
from opcert.persistence.models import Certificate
from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts
from opcert.services.lifecycle.renewal import renew
from opcert.services.synth import synthesise
from opcert.services.verification import query as certificates
from tests.integration.lifecycle_helpers import at, claims, issue_on
from tests.integration.test_safety_manager import sm_row


def _current(ctx, number: str, item: str) -> dict:  # type: ignore[no-untyped-def]
    return claims(certificates.current_credential(ctx, number, item))


def _but_slot(found: dict) -> dict:
    return {key: value for key, value in found.items() if key != "st"}


def test_an_issued_certificate_and_its_next_version_say_the_same(ctx, clock, world) -> None:  # type: ignore[no-untyped-def]
    # Issued under ORDER30; its review (2028-03-03) falls after MEM Order 19 took effect, so
    # none is owed: neither the issued credential nor the replacement carries one.
    number, item, _ = issue_on(ctx, clock, world, date(2025, 3, 3))
    issued = _current(ctx, number, item)
    acts.replace(ctx, number, item, "lost")
    replaced = _current(ctx, number, item)
    assert _but_slot(issued) == _but_slot(replaced)
    assert "rvd" not in issued
    assert issued["st"] != replaced["st"]


def test_a_renewal_says_what_a_first_issue_on_the_same_day_says(ctx, clock, world) -> None:  # type: ignore[no-untyped-def]
    number, item, _ = issue_on(ctx, clock, world, date(2026, 11, 20))
    clock.set(at(date(2032, 10, 1)))
    renew(ctx, number, item)
    renewed = _current(ctx, number, item)
    other, _, _ = issue_on(ctx, clock, world, date(2032, 10, 1))
    issued = _current(ctx, other, item)
    same_person = {"no": renewed["no"], "fst": renewed["fst"], "st": renewed["st"]}
    assert {**issued, **same_person} == renewed
    assert (renewed["vfr"], renewed["vto"], renewed["fst"]) == (
        "2032-10-01",
        "2038-10-01",
        "2026-11-20",
    )


def test_an_sm_certificate_issued_again_for_another_industry_keeps_it_in_later_versions(
    ctx, clock, world
) -> None:  # type: ignore[no-untyped-def]
    row = sm_row(industry="危险化学品生产单位")
    [first] = submit_results(ctx, world.zhuhai, [row])
    clock.set(at(date(2029, 12, 3)))  # expired on 2029-11-20; a new exam for 煤矿
    again = sm_row(
        industry="煤矿", exam_date="2029-12-02", id_number=row["id_number"], name=row["name"]
    )
    [second] = submit_results(ctx, world.zhuhai, [again])
    assert second.certificate_no == first.certificate_no
    issued = _current(ctx, second.certificate_no, "SM1")
    acts.replace(ctx, second.certificate_no, "SM1", "damaged")
    replaced = _current(ctx, second.certificate_no, "SM1")
    assert issued["itn"] == replaced["itn"] == "主要负责人（煤矿）"
    assert _but_slot(issued) == _but_slot(replaced)
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert shown["item_name"] == "主要负责人（煤矿）"


def test_a_synthesised_certificate_says_what_its_next_version_says(ctx) -> None:  # type: ignore[no-untyped-def]
    synthesise(ctx, 0.0001, seed=5)
    with ctx.uow() as uow:
        rows = uow.certificates.search("", limit=5000)
        active = [r for r in rows if r.state == "active" and r.valid_to >= ctx.today()]
        picked = {
            "reviewed": _first(active, lambda r: r.reviewed_on is not None),
            "review owed": _first(active, lambda r: (_due(r) or SWITCH) < SWITCH),
            "review not needed": _first(active, lambda r: (_due(r) or date.min) >= SWITCH),
            "MEM19": _first(active, lambda r: r.rule_set == "MEM19"),
        }
    for why, (number, item) in picked.items():
        synthesised = _current(ctx, number, item)
        acts.replace(ctx, number, item, "lost")
        assert _but_slot(synthesised) == _but_slot(_current(ctx, number, item)), why


def _due(row: Certificate) -> date | None:
    return row.review_due_on


def _first(rows: list[Certificate], wanted) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    row = next(r for r in rows if wanted(r))
    return row.number, row.item_code
