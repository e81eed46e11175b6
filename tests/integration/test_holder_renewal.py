"""换证 (renewal; Order 30 延期复审) from 我的证书: offered only in its window, with the deadline,
and otherwise the reason; the application waits in the issuing authority's queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opcert.domain.errors import Conflict, Forbidden, NotFound
from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts, renewal_applications
from tests.integration.builders import make_result


def certified(ctx, world) -> tuple[str, str, date]:
    row = make_result(name="李四")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    number = "T" + row["id_number"]
    with ctx.uow() as uow:
        cert = uow.certificates.get(number, "1.2")
        assert cert is not None
        return row["id_number"], number, cert.valid_to


def test_a_new_certificate_is_too_early_to_renew_and_the_page_says_from_when(ctx, world, clock):
    person, number, valid_to = certified(ctx, world)
    option = renewal_applications.options(ctx, person)[(number, "1.2")]
    assert option.why == "too_early" and not option.can_apply
    assert option.opens == valid_to - timedelta(days=60) and option.closes == valid_to
    with pytest.raises(Conflict) as refused:
        renewal_applications.apply(ctx, person, number, "1.2")
    assert refused.value.code == "RENEWAL_WINDOW"


def test_in_the_window_the_holder_applies_and_the_zhuhai_officer_sees_and_renews_it(
    ctx, world, clock
):
    person, number, valid_to = certified(ctx, world)
    clock.advance(valid_to - ctx.today() - timedelta(days=30))
    option = renewal_applications.options(ctx, person)[(number, "1.2")]
    assert option.why == "open" and option.closes == valid_to
    application = renewal_applications.apply(ctx, person, number, "1.2")
    assert renewal_applications.options(ctx, person)[(number, "1.2")].why == "pending"
    with pytest.raises(Conflict):
        renewal_applications.apply(ctx, person, number, "1.2")  # not twice
    [queued] = renewal_applications.queue(ctx, world.zhuhai_officer)
    assert (queued.id, queued.number) == (application, number)
    assert renewal_applications.queue(ctx, world.chongqing_officer) == []
    with pytest.raises(NotFound):
        renewal_applications.renew_application(ctx, world.chongqing_officer, application)
    renewed = renewal_applications.renew_application(ctx, world.zhuhai_officer, application)
    assert renewed.valid_from == ctx.today() and renewed.valid_to > valid_to
    assert renewal_applications.queue(ctx, world.zhuhai_officer) == []
    with pytest.raises(NotFound):  # decided once
        renewal_applications.renew_application(ctx, world.zhuhai_officer, application)


def test_after_expiry_it_is_too_late_and_no_application_is_taken(ctx, world, clock):
    person, number, valid_to = certified(ctx, world)
    clock.advance(valid_to - ctx.today() + timedelta(days=1))
    option = renewal_applications.options(ctx, person)[(number, "1.2")]
    assert option.why == "too_late" and option.closes == valid_to
    with pytest.raises(Conflict):
        renewal_applications.apply(ctx, person, number, "1.2")


def test_a_revoked_certificate_offers_no_renewal(ctx, world, clock):
    person, number, valid_to = certified(ctx, world)
    acts.revoke(ctx, number, "1.2", "以欺骗手段取得", ground="deception")
    clock.advance(valid_to - ctx.today() - timedelta(days=30))
    assert renewal_applications.options(ctx, person)[(number, "1.2")].why == "inactive"
    with pytest.raises(Conflict):
        renewal_applications.apply(ctx, person, number, "1.2")


def test_nobody_applies_for_another_persons_certificate(ctx, world, clock):
    _, number, valid_to = certified(ctx, world)
    other, _, _ = certified(ctx, world)
    clock.advance(valid_to - ctx.today() - timedelta(days=30))
    with pytest.raises(Forbidden):
        renewal_applications.apply(ctx, other, number, "1.2")


def test_an_inspector_cannot_renew(ctx, world, clock):
    person, number, valid_to = certified(ctx, world)
    clock.advance(valid_to - ctx.today() - timedelta(days=30))
    application = renewal_applications.apply(ctx, person, number, "1.2")
    with pytest.raises(Forbidden):
        renewal_applications.renew_application(ctx, world.inspector, application)


def test_from_my_certificates_to_the_officers_renewal_queue(client, ctx, world, clock):
    from tests.integration.test_holder_qr_page import logged_in
    from tests.integration.test_web_holder import code_step
    from tests.integration.web_pages import post_form

    row = logged_in(client, ctx, world)
    number = "T" + row["id_number"]
    early = client.get("/holder/certificates").text
    assert "还不能申请换证" in early and "申请换证</button>" not in early
    with ctx.uow() as uow:
        cert = uow.certificates.get(number, "1.2")
        assert cert is not None
        valid_to = cert.valid_to
    clock.advance(valid_to - ctx.today() - timedelta(days=10))
    code_step(client, row)  # years later: a new login
    post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    page = client.get("/holder/certificates").text
    assert f"受理截止日期：<strong>{valid_to}</strong>" in page
    sent = post_form(
        client, "/holder/certificates", f"/holder/certificates/{number}/1.2/renewal", {}
    )
    assert sent.headers["location"] == "/holder/certificates?renewal=applied"
    assert "等待发证机关办理" in client.get("/holder/certificates").text
    again = post_form(
        client, "/holder/certificates", f"/holder/certificates/{number}/1.2/renewal", {}
    )
    assert again.status_code == 409 and "已提交换证申请" in again.text
    post_form(
        client, "/officer/login", "/officer/login", {"username": "zh", "password": world.password}
    )
    queue = client.get("/officer/renewals").text
    assert number in queue and "办理换证" in queue


def test_a_holder_posting_a_renewal_for_someone_elses_certificate_is_refused(
    client, ctx, world, clock
):
    from tests.integration.test_holder_qr_page import logged_in
    from tests.integration.web_pages import post_form

    _, other, valid_to = certified(ctx, world)
    logged_in(client, ctx, world)
    forged = post_form(
        client, "/holder/certificates", f"/holder/certificates/{other}/1.2/renewal", {}
    )
    assert forged.status_code == 403 and "只能为本人的证书申请换证" in forged.text
    with ctx.uow() as uow:
        cert = uow.certificates.get(other, "1.2")
        assert cert is not None and uow.lifecycle.pending_renewal(cert.id) is None


def test_an_officer_of_another_region_renewing_by_id_gets_not_found(client, ctx, world, clock):
    from tests.integration.web_pages import post_form

    person, number, valid_to = certified(ctx, world)
    clock.advance(valid_to - ctx.today() - timedelta(days=30))
    application = renewal_applications.apply(ctx, person, number, "1.2")
    post_form(
        client, "/officer/login", "/officer/login", {"username": "cq", "password": world.password}
    )
    assert number not in client.get("/officer/renewals").text
    tried = post_form(client, "/officer/renewals", f"/officer/renewals/{application}/renew", {})
    assert tried.status_code == 404
    assert renewal_applications.queue(ctx, world.zhuhai_officer)[0].id == application
