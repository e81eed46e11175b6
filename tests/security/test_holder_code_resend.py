"""重新发送 of the holder's text-message code, tried as an attacker would: before the interval,
over and over, with an old code, and with someone else's pending change."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.test_web_holder import holder
from tests.integration.web_pages import post_form

NEW_PHONE = "13655556666"


def latest_code(platform) -> str:  # type: ignore[no-untyped-def]
    # the outbox lists the newest message first
    found = re.search(r"验证码 (\d{6})", platform.outbox.messages[0].text)
    assert found
    return found.group(1)


def start_login(client, row) -> None:  # type: ignore[no-untyped-def]
    sent = post_form(
        client, "/holder/login", "/holder/login", {"id_number": row["id_number"], "name": "李四"}
    )
    assert sent.headers["location"] == "/holder/code"


def resend(client, page: str = "/holder/code"):  # type: ignore[no-untyped-def]
    return post_form(client, page, page + "/resend", {})


def test_the_code_page_shows_the_seconds_until_a_resend_is_allowed(client, ctx, world, clock):
    start_login(client, holder(ctx, world))
    clock.advance(timedelta(seconds=17))
    page = client.get("/holder/code").text
    assert "43 秒后可重新发送" in page and 'data-wait="43"' in page


def test_a_resend_before_sixty_seconds_is_refused_with_the_seconds_left_and_sends_nothing(
    client, ctx, world, clock, platform
):
    start_login(client, holder(ctx, world))
    clock.advance(timedelta(seconds=20))
    refused = resend(client)
    assert refused.status_code == 429
    assert "请 40 秒后再重新发送" in refused.text and 'id="e-resend"' in refused.text
    assert len(platform.outbox.messages) == 1


def test_a_resent_code_replaces_the_old_one_which_stops_working(
    client, ctx, world, clock, platform
):
    start_login(client, holder(ctx, world))
    old = latest_code(platform)
    clock.advance(timedelta(seconds=61))
    again = resend(client)
    assert again.headers["location"] == "/holder/code?resent=1"
    assert len(platform.outbox.messages) == 2
    new = latest_code(platform)
    if old != new:  # one in a million they are equal: then only the new challenge matters
        stale = post_form(client, "/holder/code", "/holder/code", {"code": old})
        assert stale.status_code == 422
    assert "新的验证码已发送" in client.get("/holder/code?resent=1").text
    checked = post_form(client, "/holder/code", "/holder/code", {"code": new})
    assert checked.headers["location"] == "/holder/face"


def test_the_old_code_cannot_be_used_with_the_old_cookie_after_a_resend(
    client, ctx, world, clock, platform
):
    start_login(client, holder(ctx, world))
    old_cookie = client.cookies.get("opcert_login")
    old = latest_code(platform)
    clock.advance(timedelta(seconds=61))
    resend(client)
    client.cookies.set("opcert_login", old_cookie)
    replayed = post_form(client, "/holder/code", "/holder/code", {"code": old})
    assert replayed.status_code in (401, 422) and "验证码已失效" in replayed.text


def test_resending_again_and_again_hits_the_holders_sms_limit(client, ctx, world, clock, platform):
    start_login(client, holder(ctx, world))
    for _ in range(2):
        clock.advance(timedelta(seconds=61))
        assert resend(client).status_code == 303
    clock.advance(timedelta(seconds=61))
    refused = resend(client)
    assert refused.status_code == 429 and "短信验证码发送次数过多" in refused.text
    assert len(platform.outbox.messages) == 3


def test_a_resend_without_a_pending_login_is_refused_and_sends_nothing(client, platform):
    refused = resend(client)
    assert refused.status_code == 422 and "验证码已失效" in refused.text
    assert platform.outbox.messages == []


def _logged_in(client, ctx, world, platform, clock):  # type: ignore[no-untyped-def]
    row = holder(ctx, world)
    start_login(client, row)
    post_form(client, "/holder/code", "/holder/code", {"code": latest_code(platform)})
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    assert face.headers["location"] == "/holder/certificates"
    return row


def test_a_phone_change_code_can_be_resent_after_a_minute_and_the_old_one_dies(
    client, ctx, world, platform, clock
):
    _logged_in(client, ctx, world, platform, clock)
    post_form(client, "/holder/phone", "/holder/phone", {"phone": NEW_PHONE})
    old = latest_code(platform)
    early = resend(client, "/holder/phone/code")
    assert early.status_code == 429 and "60 秒后再重新发送" in early.text
    clock.advance(timedelta(seconds=60))
    again = resend(client, "/holder/phone/code")
    assert again.headers["location"] == "/holder/phone/code?resent=1"
    assert platform.outbox.messages[0].to == NEW_PHONE
    new = latest_code(platform)
    if old != new:
        stale = post_form(client, "/holder/phone/code", "/holder/phone/code", {"code": old})
        assert stale.status_code == 422
    done = post_form(client, "/holder/phone/code", "/holder/phone/code", {"code": new})
    assert done.headers["location"] == "/holder/certificates?phone=changed"
