"""Reminders 60, 30 and 7 days before a review or an expiry, to the holder and to employers who
registered the worker, through a notifier port and an outbox.

Delivery: ``plan`` writes each reminder once (unique key per certificate, kind, deadline, days,
channel and recipient). ``deliver`` claims rows (commit), sends, then marks them sent (commit). A
sender that crashes between sending and marking leaves the row claimed; after the lease it is
claimed again and re-sent with the same idempotency ``key``. That is at-least-once towards the
provider and exactly-once to the recipient with a provider that deduplicates on the key (SMS
gateways' client message id); over SMTP the duplicate carries the same Message-ID.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from opcert.domain.lifecycle import CertificateFacts, owed_review
from opcert.domain.reviews import REMINDER_DAYS, reminder_days
from opcert.persistence.models import (
    Certificate,
    Employer,
    HolderContact,
    Registration,
    ReminderRow,
)
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext

LEASE = timedelta(minutes=5)
KINDS = {"review": ("复审", "review"), "expiry": ("有效期届满", "expiry")}


class Notifier(Protocol):
    """A channel to people (email, SMS). ``key`` is the idempotency key for the provider."""

    channel: str

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None: ...


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str


def register_employer(
    ctx: ServiceContext, *, code: str, name: str, email: str | None, workers: list[str]
) -> None:
    """Add (or reuse) an employer and register workers by ID number for reminders."""
    with ctx.uow() as uow:
        uow.begin_write()
        employer = uow.reminders.employer(code)
        if employer is None:
            employer = Employer(code=code, name=name, email=email, created_at=ctx.now())
            uow.reminders.add(employer)
        for id_number in workers:
            uow.reminders.add(
                Registration(employer_id=employer.id, id_number=id_number, created_at=ctx.now())
            )
        uow.commit()


def set_contact(
    ctx: ServiceContext, id_number: str, *, email: str | None, phone: str | None
) -> None:
    with ctx.uow() as uow:
        uow.begin_write()
        uow.reminders.add(
            HolderContact(id_number=id_number, email=email, phone=phone, updated_at=ctx.now())
        )
        uow.commit()


def plan(ctx: ServiceContext) -> int:
    """Write the reminders due today into the outbox; returns how many were new. Only the
    latest applicable reminder of a deadline is written (a sender that was down for weeks does
    not send the 60-day one after the 30-day one is due)."""
    today = ctx.today()
    added = 0
    with ctx.uow() as uow:
        uow.begin_write()
        for row in uow.reminders.candidates(today, today + timedelta(days=max(REMINDER_DAYS))):
            for kind, deadline in _deadlines(row):
                days = _applicable(deadline, today)
                if days is not None:
                    added += _enqueue(uow, ctx, row, kind, deadline, days)
        uow.commit()
    return added


def _deadlines(row: Certificate) -> list[tuple[str, date]]:
    facts = CertificateFacts(
        row.state, row.rule_set, row.valid_from, row.valid_to, row.review_due_on, row.reviewed_on
    )
    owed = owed_review(facts)
    found = [("expiry", row.valid_to)]
    return found + ([("review", owed)] if owed is not None else [])


def _applicable(deadline: date, today: date) -> int | None:
    due = [days for days, send_on in reminder_days(deadline) if send_on <= today <= deadline]
    return min(due) if due else None


def _recipients(uow: UnitOfWork, id_number: str) -> list[Recipient]:
    email, phone = uow.reminders.holder_contact(id_number)
    found = [Recipient("email", email)] if email else []
    found += [Recipient("sms", phone)] if phone else []
    found += [Recipient("email", e.email) for e in uow.reminders.employers_of(id_number) if e.email]
    return found


def _enqueue(
    uow: UnitOfWork, ctx: ServiceContext, row: Certificate, kind: str, deadline: date, days: int
) -> int:
    added = 0
    zh, en = KINDS[kind]
    subject = f"证书{zh}提醒 / certificate {en} reminder: {row.number}"
    body = (
        f"{row.name}的{row.item_name}证书（{row.number}）{zh}日期为 {deadline}，还有 {days} 天。\n"
        f"The {en} date of certificate {row.number} ({row.item_code}) is {deadline}."
    )
    for to in _recipients(uow, row.id_number):
        raw = f"{row.id}|{kind}|{deadline}|{days}|{to.channel}|{to.address}"
        key = hashlib.sha256(raw.encode()).hexdigest()[:32]
        if uow.reminders.exists(key):
            continue
        uow.reminders.add(
            ReminderRow(
                key=key,
                certificate_id=row.id,
                kind=kind,
                due_on=deadline,
                days_before=days,
                channel=to.channel,
                recipient=to.address,
                subject=subject,
                body=body,
                status="pending",
                attempts=0,
                created_at=ctx.now(),
            )
        )
        added += 1
    return added


def deliver(ctx: ServiceContext, notifiers: dict[str, Notifier], limit: int = 100) -> int:
    """Claim, send, mark; returns how many were sent. A channel without a notifier is left
    pending. A failure to send leaves the row claimed, to be retried after the lease."""
    with ctx.uow() as uow:
        uow.begin_write()
        claimed = [
            r for r in uow.reminders.claimable(ctx.now() - LEASE, limit) if r.channel in notifiers
        ]
        for row in claimed:
            row.status, row.claimed_at, row.attempts = "claimed", ctx.now(), row.attempts + 1
        jobs = [(r.id, r.channel, r.recipient, r.subject, r.body, r.key) for r in claimed]
        uow.commit()
    sent = 0
    for reminder_id, channel, recipient, subject, body, key in jobs:
        notifiers[channel].send(recipient=recipient, subject=subject, body=body, key=key)
        _mark_sent(ctx, reminder_id)
        sent += 1
    return sent


def _mark_sent(ctx: ServiceContext, reminder_id: int) -> None:
    with ctx.uow() as uow:
        uow.begin_write()
        row = uow.reminders.get(reminder_id)
        if row is not None:
            row.status, row.sent_at = "sent", ctx.now()
        uow.commit()


def run(ctx: ServiceContext, notifiers: dict[str, Notifier]) -> tuple[int, int]:
    """``opcert reminders run``: plan what is due under the clock, then deliver it."""
    return plan(ctx), deliver(ctx, notifiers)
