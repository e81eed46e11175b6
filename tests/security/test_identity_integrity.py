"""Identity integrity: an exam institution cannot rewrite a person.

The finding: a Beijing institution sent a failing result for a Zhuhai holder with another name and
phone; the national person record took both, and the holder's next login code went to the new
phone. The person record now changes only through an authoritative act (first registration, an
officer's correction with a reason); a result with another name goes to review and changes
nothing; an institution's phone stays with its submission.
"""

from __future__ import annotations

import json
import re

import pytest

from opcert.domain.errors import Unauthorized
from opcert.persistence.models import Certificate, ExamResult, LedgerEntry, Person
from opcert.services.holders import identity
from opcert.services.lifecycle import acts
from opcert.services.registry import parties as registry
from opcert.services.review import decisions as approval
from opcert.services.review import overrides
from tests.integration.builders import id_number, make_result
from tests.integration.web_pages import post_form

HOLDER_PHONE = "13911112222"
ATTACKER_PHONE = "13700009999"


def post(client, key, rows):
    response = client.post(
        "/api/v1/exam-results", json={"results": rows}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def person(platform, number) -> Person:
    with platform.ctx.uow() as uow:
        row = uow.persons.by_id_number(number)
        assert row is not None
        uow.session.expunge(row)
        return row


def beijing_institution(ctx) -> str:
    made = registry.add_institution(
        ctx, code="EXAM-BJ", name="北京市安全生产考试中心", region="110105", kind="exam"
    )
    registry.add_exam_point(
        ctx, institution="EXAM-BJ", code="EP-110000-01", name="朝阳考试点", region="110105"
    )
    assert made.api_key
    return made.api_key


def ledger_bodies(platform, kind_prefix: str) -> list[dict]:
    with platform.ctx.uow() as uow:
        rows = uow.session.query(LedgerEntry).order_by(LedgerEntry.seq).all()
        return [json.loads(r.body)["data"] for r in rows if r.kind.startswith(kind_prefix)]


def test_a_failing_result_from_another_province_with_another_name_and_phone_changes_nobody(
    client, world, platform, ctx
):
    number = id_number(division="440402")
    [first] = post(
        client,
        world.zhuhai_key,
        [make_result(id_number=number, name="陈晓明", phone=HOLDER_PHONE)],
    )
    assert first["outcome"] == "issued"
    before = person(platform, number)

    key = beijing_institution(ctx)
    [attack] = post(
        client,
        key,
        [
            make_result(
                id_number=number,
                name="冒名者",
                phone=ATTACKER_PHONE,
                exam_point="EP-110000-01",
                theory_score=40,
            )
        ],
    )

    assert attack["outcome"] == "failed"
    assert "NAME_MISMATCH" in [r["reason"] for r in attack["reasons"]]
    after = person(platform, number)
    assert (after.name, after.phone, after.sex, after.birth_on) == (
        before.name,
        before.phone,
        before.sex,
        before.birth_on,
    )
    assert after.name == "陈晓明"
    assert after.phone != ATTACKER_PHONE
    # The submission keeps what the institution sent, for the record.
    with ctx.uow() as uow:
        stored = uow.session.query(ExamResult).filter_by(id_number=number, name="冒名者").one()
        assert stored.phone == ATTACKER_PHONE
    # The holder's next login code does not go to the attacker's phone.
    challenge = identity.send_code(ctx, number, "陈晓明")
    assert ATTACKER_PHONE[-4:] not in challenge.sent_to
    assert all(message.to != ATTACKER_PHONE for message in platform.outbox.messages)
    # The ledger says the record was left as it was.
    [failed] = [b for b in ledger_bodies(platform, "result.failed") if b["id_number"] == number]
    assert failed["person"] == "name_mismatch_unchanged"


def test_a_passing_result_under_another_name_goes_to_review_and_issues_nothing(
    client, world, platform, ctx
):
    number = id_number()
    post(client, world.zhuhai_key, [make_result(id_number=number, name="王芳", item="1.1")])

    [other] = post(client, world.zhuhai_key, [make_result(id_number=number, name="王方")])

    assert other["outcome"] == "in_review"
    assert [r["reason"] for r in other["reasons"]] == ["NAME_MISMATCH"]
    assert person(platform, number).name == "王芳"
    with ctx.uow() as uow:
        held = uow.session.query(Certificate).filter_by(id_number=number).all()
        assert [c.item_code for c in held] == ["1.1"]
    assert ledger_bodies(platform, "application.in_review")[-1]["person"] == (
        "name_mismatch_unchanged"
    )


def test_an_officer_who_approves_a_name_mismatch_issues_in_the_recorded_name(
    client, world, platform, ctx
):
    number = id_number()
    post(client, world.zhuhai_key, [make_result(id_number=number, name="王芳", item="1.1")])
    [other] = post(client, world.zhuhai_key, [make_result(id_number=number, name="王方")])

    app_id, reason = other["application_id"], "户籍核实：报送时姓名错写"
    shown = overrides.prepare(ctx, world.zhuhai_officer, app_id, reason)  # the name check failed
    approval.decide(ctx, world.zhuhai_officer, app_id, "approve", reason, confirmation=shown.key)

    with ctx.uow() as uow:
        issued = uow.session.query(Certificate).filter_by(id_number=number, item_code="1.2").one()
        assert issued.name == "王芳"


def test_the_phone_an_institution_sends_is_kept_with_the_result_and_not_as_a_login_channel(
    client, world, platform, ctx
):
    number = id_number()
    [outcome] = post(
        client, world.zhuhai_key, [make_result(id_number=number, name="赵敏", phone=HOLDER_PHONE)]
    )
    assert outcome["outcome"] == "issued"

    assert person(platform, number).phone is None
    with ctx.uow() as uow:
        assert uow.session.query(ExamResult).filter_by(id_number=number).one().phone == (
            HOLDER_PHONE
        )
        # Reminders may still use it: a reminder is not a login.
        assert uow.reminders.holder_contact(number) == (None, HOLDER_PHONE)
    challenge = identity.send_code(ctx, number, "赵敏")
    assert HOLDER_PHONE[-4:] not in challenge.sent_to


def test_two_rows_of_a_new_person_under_two_names_register_the_first_and_review_the_second(
    client, world, platform
):
    number = id_number()
    first, second = post(
        client,
        world.zhuhai_key,
        [
            make_result(id_number=number, name="刘洋", item="1.1"),
            make_result(id_number=number, name="刘阳", item="1.2"),
        ],
    )
    assert first["outcome"] == "issued"
    assert second["outcome"] == "in_review"
    assert [r["reason"] for r in second["reasons"]] == ["NAME_MISMATCH"]
    assert person(platform, number).name == "刘洋"


def test_an_officer_correction_with_a_reason_changes_the_record_and_later_results_match_it(
    client, world, platform, ctx
):
    number = id_number()
    post(client, world.zhuhai_key, [make_result(id_number=number, name="孙丽", item="1.1")])

    acts.correct(
        ctx,
        "T" + number,
        "1.1",
        name="孙莉",
        reason="户籍证明更正 / household register corrected",
        actor=world.zhuhai_officer.actor,
    )

    assert person(platform, number).name == "孙莉"
    [later] = post(client, world.zhuhai_key, [make_result(id_number=number, name="孙莉")])
    assert later["outcome"] == "issued"
    [stale] = post(
        client, world.zhuhai_key, [make_result(id_number=number, name="孙丽", item="2.1")]
    )
    assert [r["reason"] for r in stale["reasons"]] == ["NAME_MISMATCH"]


# -- the holder's own verified change of phone -------------------------------------------------

NEW_PHONE = "13655556666"


def logged_in_holder(client, ctx, world) -> dict:  # type: ignore[no-untyped-def]
    from tests.integration.test_web_holder import code_step, holder

    row = holder(ctx, world)
    code_step(client, row)
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    assert face.headers["location"] == "/holder/certificates"
    return row


def last_code(client) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"验证码 (\d{6})", client.get("/dev/outbox").text)
    assert found
    return found.group(1)


def test_a_holder_changes_their_phone_by_a_code_sent_to_the_new_phone(client, ctx, world, platform):
    row = logged_in_holder(client, ctx, world)
    number = row["id_number"]
    assert "/holder/phone" in client.get("/holder/certificates").text

    sent = post_form(client, "/holder/phone", "/holder/phone", {"phone": NEW_PHONE})
    assert sent.headers["location"] == "/holder/phone/code"
    assert platform.outbox.messages[0].to == NEW_PHONE  # the code went to the NEW phone
    assert person(platform, number).phone is None  # nothing changes before the code is back

    done = post_form(
        client, "/holder/phone/code", "/holder/phone/code", {"code": last_code(client)}
    )

    assert done.headers["location"] == "/holder/certificates?phone=changed"
    assert person(platform, number).phone == NEW_PHONE
    [change] = ledger_bodies(platform, "person.phone_changed")
    assert change == {"from": "—", "to": "136****6666", "proof": "sms_code"}
    # The next login code goes to the verified phone.
    challenge = identity.send_code(ctx, number, "李四")
    assert challenge.sent_to == "136****6666"


def test_a_wrong_code_changes_no_phone_and_a_used_ticket_works_once(client, ctx, world, platform):
    row = logged_in_holder(client, ctx, world)
    post_form(client, "/holder/phone", "/holder/phone", {"phone": NEW_PHONE})
    code = last_code(client)
    wrong = post_form(client, "/holder/phone/code", "/holder/phone/code", {"code": "000000"})
    assert wrong.status_code == 422 and 'id="e-code"' in wrong.text
    assert person(platform, row["id_number"]).phone is None

    ticket = client.cookies.get("opcert_phone_change")
    assert (
        post_form(client, "/holder/phone/code", "/holder/phone/code", {"code": code}).status_code
        == 303
    )
    client.cookies.set("opcert_phone_change", ticket)  # replayed
    again = post_form(client, "/holder/phone/code", "/holder/phone/code", {"code": code})
    assert again.status_code == 422
    assert len(ledger_bodies(platform, "person.phone_changed")) == 1


def test_a_change_ticket_is_its_holders_alone_and_never_a_login(client, ctx, world, platform):
    from opcert.services.holders import phone as holder_phone

    row = logged_in_holder(client, ctx, world)
    ticket = holder_phone.start(
        ctx, platform.abuse, id_number=row["id_number"], name="李四",
        new_phone=NEW_PHONE,
    )  # fmt: skip
    code = platform.outbox.messages[0].text.split("验证码 ")[1][:6]
    other = id_number()
    with pytest.raises(Unauthorized):
        holder_phone.confirm(ctx, id_number=other, ticket=ticket, code=code)
    # The ticket is not a login challenge: the face step cannot make a session from it.
    assert identity.verified(ctx, ticket) is None
    assert identity.consume(ctx, ticket) is None


@pytest.mark.parametrize("phone", ["12345", "2380000000a", "1380000000", "138 0000 00000"])
def test_a_malformed_new_phone_is_refused_naming_the_field(client, ctx, world, platform, phone):
    row = logged_in_holder(client, ctx, world)
    page = post_form(client, "/holder/phone", "/holder/phone", {"phone": phone})
    assert page.status_code == 422 and 'id="e-phone"' in page.text
    assert person(platform, row["id_number"]).phone is None


def test_the_phone_pages_need_a_holder_session(client):
    assert (
        client.get("/holder/phone", follow_redirects=False).headers["location"] == "/holder/login"
    )
    assert (
        client.get("/holder/phone/code", follow_redirects=False).headers["location"]
        == "/holder/login"
    )
