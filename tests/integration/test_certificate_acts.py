"""The certificate acts against the one state table, on both databases: a refused act changes
nothing a user can see (public query, verify API, status list, cancellation list, ledger)."""

from __future__ import annotations

from datetime import date

import pytest

from opcert.domain.errors import Conflict
from opcert.services.lifecycle import acts
from opcert.services.verification import query as certificates
from tests.integration.lifecycle_helpers import issue_on, status_value, three_views
from tests.integration.test_web_staff import officer_login
from tests.integration.web_pages import post_form


def _ledger_kinds(ctx, number: str, item: str) -> list[str]:
    with ctx.uow() as uow:
        return [e.kind for e in uow.ledger.entries_for(f"certificate:{number}:{item}")]


def test_a_cancelled_certificate_cannot_be_revoked_and_stays_cancelled_in_every_view(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    text = certificates.current_credential(ctx, number, item)
    acts.cancel(ctx, number, item, "request")
    with pytest.raises(Conflict) as refused:
        acts.revoke(ctx, number, item, "以欺骗手段取得", ground="deception")
    assert refused.value.code == "ACT_NOT_ALLOWED"
    assert "已注销" in refused.value.message_zh and "撤销" in refused.value.message_zh
    assert "cancelled" in refused.value.message_en
    assert three_views(ctx, client, row, text) == ("cancelled", "REVOKED", "REVOKED")
    [listed] = client.get("/api/v1/cancellations").json()["cancellations"]
    assert listed["ground"] == "request"
    assert _ledger_kinds(ctx, number, item) == ["certificate.cancelled"]
    with ctx.uow() as uow:  # no ban was written by the refused revocation
        assert uow.certificates.bans([row["id_number"]], ctx.today()) == {}


def test_a_revoked_certificate_can_then_be_cancelled_on_the_ground_of_its_revocation(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    text = certificates.current_credential(ctx, number, item)
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    acts.cancel(ctx, number, item, "revoked")
    assert three_views(ctx, client, row, text)[0] == "cancelled"
    assert status_value(client, text) == 1
    assert _ledger_kinds(ctx, number, item) == ["certificate.revoked", "certificate.cancelled"]


def test_a_suspended_certificate_can_be_revoked_and_a_revoked_one_cannot_be_reinstated(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    text = certificates.current_credential(ctx, number, item)
    acts.suspend(ctx, number, item, "停工调查")
    assert status_value(client, text) == 3
    acts.revoke(ctx, number, item, "对事故负有责任", ground="accident")
    assert status_value(client, text) == 1
    with pytest.raises(Conflict, match="已撤销"):
        acts.reinstate(ctx, number, item, "调查结束")
    assert three_views(ctx, client, row, text) == ("revoked", "REVOKED", "REVOKED")


def test_the_officer_revoke_page_refuses_a_cancelled_certificate_with_the_reason_on_the_form(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    acts.cancel(ctx, number, item, "death")
    officer_login(client, world, "zh")
    form = {"number": number, "item": item, "ground": "unfit", "reason": "体检不合格"}
    page = post_form(client, "/officer/revoke", "/officer/revoke", form)
    assert page.status_code == 422
    assert "证书状态为「已注销」，不能撤销" in page.text
    assert 'data-testid="revoked"' not in page.text
    [found] = certificates.certificates_view(ctx, row["id_number"], None)
    assert found["status"] == "cancelled"
