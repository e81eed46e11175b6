"""Reminders 60, 30 and 7 days before a deadline, through the outbox, once each, even when the
sender crashes between sending and marking; SMTP against a local aiosmtpd server."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from typer.testing import CliRunner

from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from opcert.services.lifecycle import reminders
from tests.integration.lifecycle_helpers import at, issue_on


class Inbox(Sink):
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class DedupingGateway:
    """A provider that honours idempotency keys, as SMS gateways do with client message ids."""

    channel = "sms"

    def __init__(self, crash_after_send: bool = False) -> None:
        self.delivered: dict[str, str] = {}
        self.calls = 0
        self.crash_after_send = crash_after_send

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        self.calls += 1
        self.delivered.setdefault(key, recipient)
        if self.crash_after_send:
            self.crash_after_send = False
            raise SystemExit("sender killed between send and mark")


def test_holder_and_employer_get_each_reminder_once_at_60_30_and_7_days(ctx, clock, world, smtp):
    inbox, port = smtp
    from opcert.adapters.mail import SmtpNotifier

    number, item, row = issue_on(ctx, clock, world, date(2023, 9, 1))
    reminders.set_contact(ctx, row["id_number"], email="holder@example.cn", phone=None)
    reminders.register_employer(
        ctx,
        code="91440400MA0000001X",
        name="珠海某厂",
        email="hr@example.cn",
        workers=[row["id_number"]],
    )
    mail = {"email": SmtpNotifier("127.0.0.1", port, "noreply@opcert.local")}
    expiry = date(2029, 9, 1)
    for days in (60, 30, 7):
        clock.set(at(expiry - timedelta(days=days)))
        # Holder by email and by SMS (the exam-time phone; no SMS gateway here), employer by email.
        assert reminders.run(ctx, mail) == (3, 2)
        assert reminders.run(ctx, mail) == (0, 0)  # a second run the same day sends nothing
    assert len(inbox.messages) == 6
    assert sorted({tuple(to) for to, _ in inbox.messages}) == [
        ("holder@example.cn",),
        ("hr@example.cn",),
    ]


def test_a_sender_killed_between_send_and_mark_does_not_duplicate_the_reminder(ctx, clock, world):
    number, item, row = issue_on(ctx, clock, world, date(2023, 9, 1))
    reminders.set_contact(ctx, row["id_number"], email=None, phone="13800000001")
    clock.set(at(date(2029, 7, 3)))  # 60 days before the end of validity
    gateway = DedupingGateway(crash_after_send=True)
    assert reminders.plan(ctx) == 1
    with pytest.raises(SystemExit):
        reminders.deliver(ctx, {"sms": gateway})
    assert reminders.deliver(ctx, {"sms": gateway}) == 0  # claimed, lease not over
    clock.advance(reminders.LEASE + timedelta(seconds=1))
    assert reminders.deliver(ctx, {"sms": gateway}) == 1  # re-sent with the same key
    assert reminders.deliver(ctx, {"sms": gateway}) == 0
    assert gateway.calls == 2 and len(gateway.delivered) == 1


def test_opcert_reminders_run_sends_what_is_due_under_the_fake_clock(
    ctx, clock, world, smtp, platform, monkeypatch
):
    inbox, port = smtp
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    reminders.set_contact(ctx, row["id_number"], email="holder@example.cn", phone=None)
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", at(date(2025, 3, 3)).isoformat())  # 7 days to review
    monkeypatch.setenv("OPCERT_SMTP_PORT", str(port))
    cli_context.platform.cache_clear()
    try:
        result = CliRunner().invoke(app, ["reminders", "run"])
    finally:
        cli_context.platform.cache_clear()
    assert result.exit_code == 0, result.stderr
    assert "sent 1" in result.stdout
    [(to, content)] = inbox.messages
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert to == ["holder@example.cn"]
    assert "2025-03-10" in message.get_body().get_content()  # type: ignore[union-attr]
