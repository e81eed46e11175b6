"""The safety manager certificate (安全合格证, SM) through the same pipeline."""

from __future__ import annotations

from datetime import date

from opcert.services.intake.pipeline import submit_results
from opcert.services.registry import parties as registry
from opcert.services.verification import query as certificates
from tests.independent import spec_verifier
from tests.integration.builders import id_number, make_result


def sm_row(**overrides):
    row = make_result(
        certificate_type="SM",
        personnel_type="主要负责人",
        industry="危险化学品生产单位",
        item=None,
        practical_score=None,
        theory_score=85,
    )
    row.update(overrides)
    return row


def test_a_passing_safety_manager_exam_issues_a_three_year_sm_certificate_without_review(
    client, ctx, world
):
    row = sm_row()
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued", outcome
    assert outcome.certificate_no == "A" + row["id_number"]
    [shown] = client.get(
        "/api/v1/certificates", params={"id_number": row["id_number"], "name": row["name"]}
    ).json()["certificates"]
    assert shown["type"] == "SM"
    assert shown["item_name"] == "主要负责人（危险化学品生产单位）"
    assert (shown["valid_from"], shown["valid_to"]) == ("2026-11-20", "2029-11-20")
    assert shown["review_due_on"] is None
    text = certificates.current_credential(ctx, outcome.certificate_no, "SM1")
    body = client.post("/api/v1/verify", json={"payload": text}).json()
    assert body["verdict"] == "VALID"
    claims = body["certificate"]
    assert claims["typ"] == "SM"
    assert "cat" not in claims or claims["cat"] is None
    root = client.get("/.well-known/opcert/root-key").json()
    keys = spec_verifier.trust_list(client.get("/.well-known/opcert/trust-list").text, root)
    statuses = {claims["st"][0]: client.get(f"/.well-known/opcert/status/{claims['st'][0]}").text}
    assert spec_verifier.verify(text, keys, statuses, ctx.now())[0] == "VALID"


def test_the_sm_pass_mark_is_80_on_the_single_exam(ctx, world):
    [outcome] = submit_results(ctx, world.zhuhai, [sm_row(theory_score=79)])
    assert outcome.outcome == "failed"


def test_an_sm_row_without_industry_or_personnel_type_is_rejected_naming_the_field(ctx, world):
    outcomes = submit_results(
        ctx, world.zhuhai, [sm_row(industry="建筑施工"), sm_row(personnel_type="厂长")]
    )
    assert [o.outcome for o in outcomes] == ["rejected", "rejected"]
    assert outcomes[0].errors[0]["field"] == "industry"
    assert outcomes[1].errors[0]["field"] == "personnel_type"


def test_a_woman_manager_uses_the_55_retirement_group(ctx, world):
    # Born 1974-01: a woman worker (50 group) would be past retirement, a manager (55) is not.
    row = sm_row(id_number=id_number(born=date(1974, 1, 10), sex=2))
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued", outcome


def test_an_sm_application_in_review_is_issued_by_an_officer_with_its_printed_name(ctx, world):
    from opcert.services.review import decisions as approval

    registry.set_auto_approve(ctx, "CN-440400", False)
    [outcome] = submit_results(
        ctx, world.zhuhai, [sm_row(personnel_type="安全生产管理人员", industry="煤矿")]
    )
    decided = approval.decide(ctx, world.zhuhai_officer, outcome.application_id, "approve", None)
    assert decided.certificate_no.startswith("A")
    with ctx.uow() as uow:
        row = uow.certificates.get(decided.certificate_no, "SM2")
        assert row.item_name == "安全生产管理人员（煤矿）"
        assert row.typ == "SM"
