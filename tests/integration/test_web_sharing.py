"""The officers' 数据共享 page (issue 17) on both databases: who sees which subscriber, adding one
with its secrets shown once, refusals beside the fields, disabling in the ledger, redelivering
a dead letter, an employer's roster, feedback on the page and on the certificate search, and the
figures on /healthz."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, update

from opcert.persistence.models import Delivery, LedgerEntry, SharingEvent, Subscriber
from opcert.services.intake.pipeline import submit_results
from opcert.services.registry import parties as registry
from opcert.services.sharing import feedback, subscribers
from opcert.services.sharing.sharing_list import mask_number
from tests.integration.builders import make_result
from tests.integration.sharing_world import USCC, subscribe
from tests.integration.test_web_staff import officer_login
from tests.integration.web_pages import csrf, post_form

LIST = "/officer/sharing"


def _officer(ctx, world, username: str, region: str, role: str = "admin") -> None:
    registry.add_officer(ctx, username=username, region=region, role=role, password=world.password)


@pytest.fixture
def admins(ctx, world):
    """Admins of Guangdong (province), Zhuhai (city) and the nation, and a Guangdong analyst."""
    _officer(ctx, world, "gd-admin", "440000")
    _officer(ctx, world, "zh-admin", "440400")
    _officer(ctx, world, "nat-admin", "000000")
    _officer(ctx, world, "gd-analyst", "440000", "analyst")
    return world


def _form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "code": "ZH-ENFORCE",
        "name": "珠海市应急管理综合执法系统",
        "url": "http://127.0.0.1:9/hooks/opcert",
        "regions": "440400",
        "events": ["cn.opcert.certificate.revoked", "cn.opcert.certificate.suspended"],
        "fields": ["number", "name", "status"],
        "signing": "hmac",
        "uscc": "",
    }
    form.update(overrides)
    return form


def _ledger(ctx, kind: str) -> list[tuple[str, str, dict]]:
    """(actor, subject, data) of each ledger entry of ``kind``."""
    with ctx.reader() as uow:
        query = select(LedgerEntry).where(LedgerEntry.kind == kind)
        return [
            (e.actor, e.subject, json.loads(e.body)["data"]) for e in uow.session.scalars(query)
        ]


def _subscriber_codes(ctx) -> list[str]:
    return [row["code"] for row in subscribers.list_subscribers(ctx)]


def test_a_province_admin_adds_a_subscriber_and_its_secrets_are_shown_once(client, ctx, admins):
    officer_login(client, admins, "gd-admin")
    assert "登记订阅方" in client.get(LIST).text
    answer = post_form(client, f"{LIST}/new", f"{LIST}/new", _form())
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert "只显示一次" in answer.text and "shown once" in answer.text
    secret = re.search(r'data-testid="webhook-secret">(whsec_[^<]+)<', answer.text)
    key = re.search(r'data-testid="api-key">(osk_[^<]+)<', answer.text)
    assert secret and key
    assert _subscriber_codes(ctx) == ["ZH-ENFORCE"]
    listed = client.get(LIST).text
    assert "珠海市应急管理综合执法系统" in listed and "127.0.0.1:9" in listed
    assert "撤销" in listed and "暂停" in listed and "/hooks/opcert" not in listed  # host only
    shown = client.get(f"{LIST}/subscribers/ZH-ENFORCE").text
    assert secret.group(1) not in shown and key.group(1) not in shown
    [(actor, subject, _)] = _ledger(ctx, "subscriber.added")
    assert actor == "officer:gd-admin" and subject == "subscriber:ZH-ENFORCE"
    assert subscribers.authenticate(ctx, key.group(1)).code == "ZH-ENFORCE"


def test_a_city_officer_reads_the_page_but_cannot_add_or_change(client, ctx, admins):
    subscribe(ctx, "ZH-CITY", regions=["440400"])
    officer_login(client, admins, "zh-admin")
    page = client.get(LIST)
    assert page.status_code == 200 and "ZH-CITY" in page.text and "登记订阅方" not in page.text
    assert client.get(f"{LIST}/new").status_code == 403
    refused = post_form(client, LIST, f"{LIST}/new", _form(code="ZH-OTHER"))
    assert refused.status_code == 403 and "市、县级只能查看" in refused.text
    detail = client.get(f"{LIST}/subscribers/ZH-CITY").text
    assert "停用推送" not in detail
    disable = post_form(client, LIST, f"{LIST}/subscribers/ZH-CITY/state", {"reason": "试试"})
    assert disable.status_code == 403
    assert _subscriber_codes(ctx) == ["ZH-CITY"] and subscribers.list_subscribers(ctx)[0]["active"]


def test_another_provinces_subscriber_is_the_same_as_an_unknown_one(client, ctx, admins):
    subscribe(ctx, "CQ-ENF", regions=["500000"])
    subscribe(ctx, "NATIONAL", regions=["000000"])
    subscribe(ctx, "GD-AND-CQ", regions=["440000", "500000"])
    officer_login(client, admins, "gd-admin")
    page = client.get(LIST).text
    assert "CQ-ENF" not in page and "NATIONAL" not in page and "GD-AND-CQ" not in page
    for code in ("CQ-ENF", "NATIONAL", "GD-AND-CQ", "NO-SUCH"):
        shown = client.get(f"{LIST}/subscribers/{code}")
        assert shown.status_code == 404 and f"没有代码为 {code} 的订阅方" in shown.text
        for action, data in (("state", {"reason": "停用"}), ("secret", {"which": "api_key"}),
                             ("redeliver", {"event_id": "x"})):  # fmt: skip
            answer = post_form(client, LIST, f"{LIST}/subscribers/{code}/{action}", data)
            assert answer.status_code == 404, (code, action)
    assert all(row["active"] for row in subscribers.list_subscribers(ctx))
    assert _ledger(ctx, "subscriber.disabled") == []
    assert _ledger(ctx, "subscriber.secret_rotated") == []
    officer_login(client, admins, "nat-admin")
    assert all(code in client.get(LIST).text for code in ("CQ-ENF", "NATIONAL", "GD-AND-CQ"))


def test_a_forbidden_address_is_named_on_the_url_field_and_nothing_is_written(client, ctx, admins):
    officer_login(client, admins, "gd-admin")
    answer = post_form(
        client, f"{LIST}/new", f"{LIST}/new", _form(url="http://169.254.169.254/latest/meta-data")
    )
    assert answer.status_code == 422
    error = re.search(r'<p class="error" id="e-url">([^<]+)</p>', answer.text)
    assert error and "链路本地地址或云元数据地址" in error.group(1)
    assert 'id="f-url" name="url" type="url" value="http://169.254.169.254/latest/meta-data"' in (
        answer.text
    )
    assert _subscriber_codes(ctx) == [] and _ledger(ctx, "subscriber.added") == []


def test_a_region_outside_the_division_and_every_other_error_are_shown_at_once(client, ctx, admins):
    officer_login(client, admins, "gd-admin")
    answer = post_form(
        client, f"{LIST}/new", f"{LIST}/new",
        _form(regions="440400, 500000", name="", events=[], fields=["password"]),
    )  # fmt: skip
    assert answer.status_code == 422
    for field in ("regions", "name", "events", "fields"):
        assert f'id="e-{field}"' in answer.text, field
    assert "超出辖区：500000" in answer.text
    assert 'id="e-url"' not in answer.text and 'id="e-code"' not in answer.text
    assert _subscriber_codes(ctx) == []
    taken = subscribe(ctx, "ZH-TAKEN", regions=["440400"])
    assert taken.code == "ZH-TAKEN"
    again = post_form(client, f"{LIST}/new", f"{LIST}/new", _form(code="ZH-TAKEN"))
    assert again.status_code == 409 and 'id="e-code"' in again.text


def test_disabling_needs_a_reason_and_is_in_the_ledger_and_enabling_undoes_it(client, ctx, admins):
    subscribe(ctx, "ZH-CITY", regions=["440400"])
    officer_login(client, admins, "gd-admin")
    action = f"{LIST}/subscribers/ZH-CITY/state"
    page = f"{LIST}/subscribers/ZH-CITY"
    empty = post_form(client, page, action, {"action": "disable", "reason": "  "})
    assert empty.status_code == 422 and 'id="e-state-reason"' in empty.text
    done = post_form(client, page, action, {"action": "disable", "reason": "接收端迁移，暂停推送"})
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "已停用" in shown and "接收端迁移，暂停推送" in shown
    [(actor, _, data)] = _ledger(ctx, "subscriber.disabled")
    assert actor == "officer:gd-admin" and data["reason"] == "接收端迁移，暂停推送"
    again = post_form(client, page, action, {"action": "enable", "reason": "迁移完成"})
    assert again.status_code == 303 and subscribers.list_subscribers(ctx)[0]["active"]
    assert len(_ledger(ctx, "subscriber.enabled")) == 1


def test_rotating_shows_the_new_secret_once_and_the_old_key_stops(client, ctx, admins):
    first = subscribe(ctx, "ZH-CITY", regions=["440400"])
    officer_login(client, admins, "gd-admin")
    page, action = f"{LIST}/subscribers/ZH-CITY", f"{LIST}/subscribers/ZH-CITY/secret"
    rotated = post_form(client, page, action, {"which": "webhook"})
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    assert "whsec_" in rotated.text and first.secret not in rotated.text
    new_key = post_form(client, page, action, {"which": "api_key"})
    key = re.search(r'data-testid="api-key">(osk_[^<]+)<', new_key.text)
    assert key and subscribers.authenticate(ctx, key.group(1)).code == "ZH-CITY"
    with pytest.raises(Exception, match="无效"):
        subscribers.authenticate(ctx, first.api_key)
    assert len(_ledger(ctx, "subscriber.secret_rotated")) == 2


def _dead_letter(ctx, world) -> str:
    """A Zhuhai certificate issued to subscriber ZH-CITY, its delivery dead; its event id."""
    subscribe(ctx, "ZH-CITY", regions=["440400"])
    [issued] = submit_results(ctx, world.zhuhai, [make_result()])
    assert issued.outcome == "issued"
    with ctx.uow() as uow:
        uow.session.execute(
            update(Delivery).values(
                state="dead", attempts=9, last_status=500, last_error="HTTP 500"
            )
        )
        uow.commit()
    with ctx.reader() as uow:
        return str(uow.session.scalars(select(SharingEvent.event_id)).first())


def test_an_admin_redelivers_a_dead_letter(client, ctx, admins):
    event_id = _dead_letter(ctx, admins)
    officer_login(client, admins, "gd-admin")
    page = f"{LIST}/subscribers/ZH-CITY"
    shown = client.get(page).text
    assert 'data-testid="dead-letter"' in shown and "HTTP 500" in shown and "重新投递" in shown
    done = post_form(client, page, f"{page}/redeliver", {"event_id": event_id})
    assert (
        done.status_code == 303
        and "已重新排入投递队列" in client.get(done.headers["location"]).text
    )
    with ctx.reader() as uow:
        assert {d.state for d in uow.session.scalars(select(Delivery))} >= {"pending"}
    [(actor, _, _)] = _ledger(ctx, "delivery.redelivered")
    assert actor == "officer:gd-admin"
    twice = post_form(client, page, f"{page}/redeliver", {"event_id": event_id})
    assert twice.status_code == 409 and "尚在等待发送" in twice.text


def test_an_analyst_sees_the_figures_but_no_holders_number(client, ctx, admins):
    _dead_letter(ctx, admins)
    officer_login(client, admins, "gd-analyst")
    shown = client.get(f"{LIST}/subscribers/ZH-CITY").text
    with ctx.reader() as uow:
        number = uow.session.scalars(
            select(Delivery.subject).where(Delivery.subject.startswith("T"))
        ).first()
    assert number and number not in shown and mask_number(number) in shown
    assert '/redeliver"' not in shown  # no redeliver form for a reader


def test_feedback_is_on_the_sharing_page_and_on_the_certificate_search(client, ctx, admins):
    registered = subscribe(ctx, "ZH-ENF", regions=["440400"])
    [issued] = submit_results(ctx, admins.zhuhai, [make_result(name="李四")])
    row = subscribers.authenticate(ctx, registered.api_key)
    feedback.record(ctx, row, {"ref": "F-1", "certificate_number": issued.certificate_no,
                               "item": "1.2", "kind": "enforcement",
                               "detail": "现场检查，责令停止作业"})  # fmt: skip
    officer_login(client, admins, "gd-admin")
    for url in (LIST, f"{LIST}/subscribers/ZH-ENF"):
        page = client.get(url).text
        assert (
            "执法处置" in page
            and "现场检查，责令停止作业" in page
            and issued.certificate_no in page
        )
    search = client.get("/officer/certificates", params={"q": issued.certificate_no}).text
    assert 'data-testid="certificate-feedback"' in search and "处置反馈 1 条" in search
    assert "现场检查，责令停止作业" in search and "订阅方 ZH-ENF" in search
    officer_login(client, admins, "gd-analyst")
    masked = client.get(LIST).text
    assert "执法处置" in masked and issued.certificate_no not in masked
    assert "现场检查" not in masked


def test_an_employers_roster_is_replaced_whole_or_not_at_all(client, ctx, admins):
    subscribe(ctx, "EMP-ZH", regions=["440400"], uscc=USCC)
    officer_login(client, admins, "gd-admin")
    page = f"{LIST}/subscribers/EMP-ZH"
    assert "花名册上有 0 名人员" in client.get(page).text
    good = make_result()["id_number"]
    bad = "id_number,name,item\n" + f"{good},张三,1.2\n123,李四,\n"
    token = csrf(client.get(page).text)
    answer = client.post(f"{page}/roster", data={"csrf_token": token},
                         files={"file": ("r.csv", bad.encode(), "text/csv")})  # fmt: skip
    assert answer.status_code == 422 and "第 3 行 id_number" in answer.text
    assert "未作任何替换" in answer.text
    ok = f"id_number,name,item\n{good},张三,1.2\n"
    done = client.post(f"{page}/roster", data={"csrf_token": token},
                       files={"file": ("r.csv", ok.encode(), "text/csv")},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert "花名册上有 1 名人员" in client.get(done.headers["location"]).text


def test_forged_input_is_refused_without_a_server_error(client, ctx, admins):
    subscribe(ctx, "ZH-CITY", regions=["440400"])
    officer_login(client, admins, "gd-admin")
    page = f"{LIST}/subscribers/ZH-CITY"
    long_code = client.get(f"{LIST}/subscribers/{'X' * 5000}")
    assert long_code.status_code == 404
    forged = post_form(client, page, f"{page}/redeliver", {"event_id": "y" * 5000})
    assert forged.status_code == 404
    long_url = post_form(
        client, f"{LIST}/new", f"{LIST}/new", _form(url="https://a.cn/" + "x" * 600)
    )
    assert long_url.status_code == 422 and 'id="e-url"' in long_url.text
    weird = post_form(client, f"{LIST}/new", f"{LIST}/new",
                      _form(code="A\x00B", signing="rsa", uscc="123", regions="abc"))  # fmt: skip
    assert weird.status_code == 422
    assert client.get(f"{LIST}?page=0").status_code == 422
    assert client.post(page + "/state", data={"reason": "x"}).status_code == 403  # no CSRF token
    with ctx.reader() as uow:
        assert [s.code for s in uow.session.scalars(select(Subscriber))] == ["ZH-CITY"]


def test_healthz_tells_each_subscribers_backlog_without_names_or_addresses(client, ctx, world):
    assert "sharing" not in client.get("/healthz").json()
    subscribe(ctx, "ZH-CITY", regions=["440400"])
    subscribe(ctx, "IDLE", regions=["500000"])
    submit_results(ctx, world.zhuhai, [make_result(), make_result()])
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    sharing = body["sharing"]
    assert sharing["subscribers"] == 2 and sharing["pending"] >= 2 and sharing["dead"] == 0
    [one] = sharing["by_subscriber"]
    assert one["code"] == "ZH-CITY" and one["pending"] >= 2 and one["failures"] == 0
    assert set(one) == {"code", "active", "pending", "lag_seconds", "failures", "dead"}
    text = answer.text
    assert "127.0.0.1" not in text and "订阅方" not in text and "whsec_" not in text


def test_an_ed25519_subscriber_gets_an_api_key_and_no_shared_secret(client, ctx, admins):
    officer_login(client, admins, "nat-admin")
    answer = post_form(
        client,
        f"{LIST}/new",
        f"{LIST}/new",
        _form(code="NAT-ED", regions="000000", signing="ed25519"),
    )
    assert answer.status_code == 200
    assert (
        'data-testid="api-key">osk_' in answer.text
        and 'data-testid="webhook-secret"' not in answer.text
    )
    assert "/.well-known/opcert/webhook-key" in answer.text
    page = client.get(f"{LIST}/subscribers/NAT-ED").text
    assert (
        "平台 Ed25519 公钥验签" in page and "更换签名密钥" not in page and "更换 API 密钥" in page
    )
