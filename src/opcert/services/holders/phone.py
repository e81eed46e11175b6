"""The holder's own verified change of phone: one of the three acts that may change the person
record (with first registration and an officer's correction).

A logged-in holder names a new phone; a one-time code goes to that phone; the code typed back
proves control of it, and only then the person record's phone (the holder's login and notice
channel) changes, with a ledger entry. An exam institution's phone never gets there (it stays
with its submission). The pending change lives in the shared session store, like a login
challenge, under a digest of its own domain, so a change ticket can never stand for a login.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from opcert.domain.errors import FieldError, Unauthorized
from opcert.domain.sessions import ChallengeRecord
from opcert.services.abuse.controls import AbuseControls
from opcert.services.abuse.policy import HOLDER_RESEND, HOLDER_SMS, HOLDER_SMS_PHONE
from opcert.services.holders import codes
from opcert.services.holders.identity import masked_phone, send_message
from opcert.services.intake.validation import PHONE
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.session_store import digest
from opcert.services.kernel.sessions import store_of

TICKET_LIFETIME = timedelta(minutes=10)
_DOMAIN = "phone-change:"


def masked(phone: str | None) -> str:
    return masked_phone(phone) if phone else "—"


def parse_phone(value: str) -> str:
    text = (value or "").strip().replace(" ", "").replace("-", "")
    if not PHONE.match(text):
        raise FieldError(
            "phone",
            "PHONE_FORMAT",
            "手机号码应为11位数字，以1开头",
            "the phone must be an 11-digit mainland mobile number starting with 1",
        )
    return text


def _id_hash(ticket: str) -> str:
    return digest(_DOMAIN + (ticket or ""))


def start(
    ctx: ServiceContext,
    controls: AbuseControls,
    *,
    id_number: str,
    name: str,
    new_phone: str,
) -> str:
    """Send a code to ``new_phone`` for the holder ``id_number``; returns the change ticket the
    holder's browser keeps. Codes count against the holder's SMS limit."""
    phone = parse_phone(new_phone)
    controls.check(HOLDER_SMS, id_number)
    controls.check(HOLDER_SMS_PHONE, phone)
    ticket = _send(ctx, id_number, name, phone)
    controls.record(HOLDER_SMS, id_number)
    controls.record(HOLDER_SMS_PHONE, phone)
    return ticket


def resend(
    ctx: ServiceContext, controls: AbuseControls, *, id_number: str, session: str, ticket: str
) -> str:
    """重新发送 for the holder's pending change: a new ticket and code to the same phone, 60 s
    after the last code at the earliest (``ResendTooSoon``); the old ticket is used up first, so
    its code stops working. Counts per ID number, per phone and per holder ``session``."""
    store, id_hash, now = store_of(ctx), _id_hash(ticket), ctx.now()
    record = store.challenge(id_hash)
    if record is None or record.id_number != id_number or not record.open(now):
        raise _expired()
    codes.require_resend_allowed(record, now)
    controls.check(HOLDER_SMS, id_number)
    controls.check(HOLDER_SMS_PHONE, record.sent_to)
    controls.hit(HOLDER_RESEND, f"session:{session}")
    if not store.consume_challenge(id_hash, now):
        raise _expired()
    fresh = _send(ctx, id_number, record.name, record.sent_to)
    controls.record(HOLDER_SMS, id_number)
    controls.record(HOLDER_SMS_PHONE, record.sent_to)
    return fresh


def resend_wait(ctx: ServiceContext, ticket: str) -> int:
    """Seconds until 重新发送 is allowed for this change (0: now)."""
    return codes.resend_wait(store_of(ctx).challenge(_id_hash(ticket)), ctx.now())


def _expired() -> Unauthorized:
    return Unauthorized(
        "CODE_EXPIRED",
        "验证码已失效，请重新获取",
        "the code expired; ask for a new one",
        field="code",
    )


def _send(ctx: ServiceContext, id_number: str, name: str, phone: str) -> str:
    ticket = secrets.token_urlsafe(24)
    id_hash = _id_hash(ticket)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = ctx.now()
    store_of(ctx).add_challenge(
        ChallengeRecord(
            id_hash=id_hash,
            id_number=id_number,
            name=name,
            sent_to=phone,
            code_hash=codes.code_hash(id_hash, code),
            created_at=now,
            expires_at=now + TICKET_LIFETIME,
        )
    )
    send_message(
        ctx,
        phone,
        f"【特种作业操作证】您正在把登录手机号更换为本号码，验证码 {code}，5 分钟内有效。"
        "如非本人操作，请忽略。",
    )
    return ticket


def confirm(ctx: ServiceContext, *, id_number: str, ticket: str, code: str) -> str:
    """Check the code of the holder's pending change and, once right, make the new phone the
    person record's; returns it masked. The ticket works once, for its own holder only."""
    store, id_hash = store_of(ctx), _id_hash(ticket)
    record = store.challenge(id_hash)
    now = ctx.now()
    expired = _expired()
    if record is not None and record.id_number != id_number:
        raise expired
    record = codes.check(store, id_hash, record, code, now, expired)
    if not store.consume_challenge(id_hash, now):
        raise expired  # another request used it first
    with ctx.uow() as uow:
        uow.begin_write()
        person = uow.persons.by_id_number(id_number)
        if person is None:
            raise expired
        before = person.phone
        person.phone, person.updated_at = record.sent_to, now
        ledger.append(
            uow,
            [
                ledger.LedgerEvent(
                    now,
                    f"holder:{id_number}",
                    "person.phone_changed",
                    f"person:{id_number}",
                    {"from": masked(before), "to": masked(record.sent_to), "proof": "sms_code"},
                )
            ],
        )
        uow.commit()
    return masked(record.sent_to)
