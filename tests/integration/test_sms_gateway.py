"""The SMS gateway is a setting (``OPCERT_SMS_GATEWAY``): with ``http`` every text message (a
login code, an SMS reminder through ``SmsNotifier``) is one JSON POST to the operator's relay,
carrying an idempotency key; a relay that refuses leaves nothing half-done. The relay here is a
real HTTP server on a local port."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import ValidationError

from opcert.bootstrap import Platform, build
from opcert.domain.errors import Forbidden, Unavailable
from opcert.services.holders import identity
from opcert.services.lifecycle import reminders
from opcert.settings import Settings
from tests.integration.lifecycle_helpers import at, issue_on
from tests.security.session_helpers import issued_holder

TOKEN = "relay-token-for-tests"


class Relay(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RelayHandler)
        self.received: list[dict[str, str]] = []
        self.authorised: list[str] = []
        self.answer = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


class RelayHandler(BaseHTTPRequestHandler):
    server: Relay

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.authorised.append(self.headers.get("Authorization", ""))
        if self.server.answer == 200:
            self.server.received.append(body)
        self.send_response(self.server.answer)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def relay() -> Iterator[Relay]:
    server = Relay()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def relayed(platform: Platform, relay: Relay) -> Iterator[Platform]:
    """The same records, built with ``OPCERT_SMS_GATEWAY=http`` pointing at the relay."""
    settings = platform.settings.model_copy(
        update={"sms_gateway": "http", "sms_gateway_url": relay.url, "sms_gateway_token": TOKEN}
    )
    built = build(settings, clock=platform.ctx.clock)
    yield built
    built.close()


def _with_phone(platform: Platform, row: dict, phone: str) -> None:
    """The holder's verified login phone (set by the phone change, ``services.holders.phone``)."""
    with platform.ctx.uow() as uow:
        person = uow.persons.by_id_number(str(row["id_number"]))
        assert person is not None
        person.phone = phone
        uow.commit()


def test_a_login_code_goes_to_the_holders_phone_through_the_relay(relayed, relay, world):
    row = issued_holder(relayed, world)
    _with_phone(relayed, row, "13912345678")
    challenge = identity.send_code(relayed.ctx, str(row["id_number"]), "李四")
    [message] = relay.received
    assert message["phone"] == "13912345678"
    assert "验证码" in message["text"] and message["client_message_id"]
    assert relay.authorised == [f"Bearer {TOKEN}"]
    assert challenge.sent_to == "139****5678"
    assert relayed.outbox is None  # no development page shows codes sent for real


def test_an_sms_reminder_is_sent_once_through_the_relay_keyed_by_the_reminder(
    relayed, relay, clock, world
):
    ctx = relayed.ctx
    _, _, row = issue_on(ctx, clock, world, date(2023, 9, 1))
    reminders.set_contact(ctx, row["id_number"], email=None, phone="13800000001")
    clock.set(at(date(2029, 7, 3)))  # 60 days before the end of validity
    assert sorted(ctx.notifiers) == ["email", "sms"]
    assert reminders.plan(ctx) == 1
    assert reminders.deliver(ctx, {"sms": ctx.notifiers["sms"]}) == 1
    assert reminders.deliver(ctx, {"sms": ctx.notifiers["sms"]}) == 0
    [message] = relay.received
    assert message["phone"] == "13800000001" and "有效期" in message["text"]
    assert len(message["client_message_id"]) >= 16


def test_a_holder_with_no_phone_on_record_is_told_so_and_nothing_is_posted(relayed, relay, world):
    row = issued_holder(relayed, world)
    with pytest.raises(Forbidden) as refused:
        identity.send_code(relayed.ctx, str(row["id_number"]), "李四")
    assert refused.value.code == "SMS_NO_PHONE" and "手机号" in refused.value.message_zh
    assert relay.authorised == []


def test_a_relay_that_refuses_is_named_as_not_sent(relayed, relay, world):
    row = issued_holder(relayed, world)
    _with_phone(relayed, row, "13912345678")
    relay.answer = 503
    with pytest.raises(Unavailable) as refused:
        identity.send_code(relayed.ctx, str(row["id_number"]), "李四")
    assert refused.value.code == "SMS_NOT_SENT"
    assert "短信发送失败" in refused.value.message_zh


def test_the_development_and_none_gateways_send_no_sms_reminders(platform):
    assert "sms" not in platform.ctx.notifiers  # development: the outbox would lose them
    none = build(platform.settings.model_copy(update={"sms_gateway": "none"}))
    try:
        assert "sms" not in none.ctx.notifiers and none.outbox is None
    finally:
        none.close()


def test_an_http_gateway_without_its_address_and_token_is_refused_naming_them():
    with pytest.raises(ValidationError) as refused:
        Settings(sms_gateway="http")
    assert "OPCERT_SMS_GATEWAY_URL" in str(refused.value)
    assert "OPCERT_SMS_GATEWAY_TOKEN" in str(refused.value)


def test_production_refuses_the_development_sms_gateway():
    settings = Settings(env="production", sms_gateway="development")
    assert any("OPCERT_SMS_GATEWAY" in p for p in settings.production_problems())
