"""Holder real-name login (实名登录): ID number and name, a one-time code by text message, then a
live face check, and one session from it.

The use case lives here; the web route only calls it. The outside parts are ports of the
service context, chosen by ``opcert.bootstrap`` from ``Settings``: the identity provider
(``ctx.identity``: is this the name of this ID number, and the face check), the SMS gateway
(``ctx.sms``) and the session store (``ctx.sessions``) where pending challenges live, so any app
process can continue a login another one started. A challenge makes at most one session:
``consume`` hands its person out once, in any process.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from opcert.domain.errors import FieldError, NotFound, Unauthorized, ValidationFailed
from opcert.domain.identity import parse_resident_id
from opcert.domain.names import PersonName
from opcert.domain.sessions import ChallengeRecord
from opcert.services.abuse.controls import AbuseControls
from opcert.services.abuse.policy import (
    HOLDER_CODE,
    HOLDER_LOGIN_ADDRESS,
    HOLDER_LOGIN_ID,
    HOLDER_RESEND,
    HOLDER_SMS,
)
from opcert.services.holders import codes
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.session_store import digest

CHALLENGE_LIFETIME = timedelta(minutes=10)  # the code, then the face check, within this
NO_PHONE = "1**********"  # a holder without a phone on record: the code goes nowhere real


@dataclass(frozen=True)
class Challenge:
    id: str
    id_number: str
    name: str
    sent_to: str


# -- the throttled steps the pages call --------------------------------------------------------


def start_login(
    ctx: ServiceContext, controls: AbuseControls, id_number: str, name: str, address: str
) -> Challenge:
    """The first step behind its limits: every attempt counts per address and per ID number
    (guessing the name of someone's ID number); a code actually sent counts per ID number (SMS
    bombing), so failed attempts do not use up the holder's codes."""
    controls.hit(HOLDER_LOGIN_ADDRESS, address)
    controls.hit(HOLDER_LOGIN_ID, id_number)
    controls.check(HOLDER_SMS, id_number)
    challenge = send_code(ctx, id_number, name)
    controls.record(HOLDER_SMS, id_number)
    return challenge


def resend_code(
    ctx: ServiceContext, controls: AbuseControls, challenge_id: str, address: str
) -> Challenge:
    """重新发送: a new code in a new challenge, ``RESEND_INTERVAL`` after the last one at the
    earliest (``ResendTooSoon`` says how long to wait). The old challenge is used up first, so
    its code stops working. Counts per ID number (the holder's phone) and per login."""
    store, old_hash, now = ctx.sessions, digest(challenge_id or ""), ctx.now()
    record = store.challenge(old_hash)
    if record is None or not record.open(now) or record.verified:
        raise Unauthorized(
            "CODE_EXPIRED",
            "验证码已失效，请重新登录",
            "the login expired; start again",
            field="code",
        )
    codes.require_resend_allowed(record, now)
    controls.check(HOLDER_SMS, record.id_number)
    controls.hit(HOLDER_RESEND, f"login:{record.id_number}:{address}")
    if not store.consume_challenge(old_hash, now):
        raise Unauthorized("CODE_EXPIRED", "验证码已失效，请重新登录", "the login expired")
    challenge = send_code(ctx, record.id_number, record.name)
    controls.record(HOLDER_SMS, record.id_number)
    return challenge


def resend_wait(ctx: ServiceContext, challenge_id: str) -> int:
    """Seconds until 重新发送 is allowed for this login (0: now)."""
    return codes.resend_wait(ctx.sessions.challenge(digest(challenge_id or "")), ctx.now())


def answer_code(
    ctx: ServiceContext, controls: AbuseControls, challenge_id: str, code: str, address: str
) -> Challenge:
    """The code step behind the per-address limit (each challenge also allows only a few tries)."""
    controls.hit(HOLDER_CODE, address)
    return check_code(ctx, challenge_id, code)


@dataclass(frozen=True)
class FaceOutcome:
    """``holder`` is the person to start a session for; ``review`` says the face check failed
    and the holder may ask for a manual identity review instead; neither: log in again."""

    holder: Challenge | None = None
    review: bool = False


def finish_login(ctx: ServiceContext, challenge_id: str, evidence: str) -> FaceOutcome:
    """The face check, then the challenge used up: a replayed or parallel request finds it used."""
    if not face_check(ctx, challenge_id, evidence):
        return FaceOutcome(review=True)
    return FaceOutcome(holder=consume(ctx, challenge_id))


# -- the steps ---------------------------------------------------------------------------------


def send_code(ctx: ServiceContext, id_number: str, name: str) -> Challenge:
    """Raises ValidationFailed for malformed input, NotFound when the platform holds no
    certificate of this ID number and name, and what the identity provider raises."""
    number, clean_name = _checked_input(ctx, id_number, name)
    with ctx.uow() as uow:
        person = uow.persons.by_id_number(number)
        found = uow.certificates.of_person(number, clean_name)  # finds the name without its dot
        known, clean_name = bool(found), found[0].name if found else clean_name
        phone = person.phone if person is not None else None
    if not known or person is None:
        raise NotFound(
            "PERSON_UNKNOWN",
            "证件号码与姓名不匹配，或名下没有证书",
            "the ID number and name do not match a certificate holder",
            field="id_number",
        )
    ctx.identity.confirm(number, clean_name)
    phone = phone or NO_PHONE
    challenge = Challenge(secrets.token_urlsafe(16), number, clean_name, masked_phone(phone))
    code = f"{secrets.randbelow(1_000_000):06d}"
    now, id_hash = ctx.now(), digest(challenge.id)
    ctx.sessions.add_challenge(
        ChallengeRecord(
            id_hash=id_hash,
            id_number=number,
            name=clean_name,
            sent_to=challenge.sent_to,
            code_hash=codes.code_hash(id_hash, code),
            created_at=now,
            expires_at=now + CHALLENGE_LIFETIME,
        )
    )
    ctx.sms.submit(phone=phone, text=f"【特种作业操作证】验证码 {code}", client_message_id=id_hash)
    return challenge


def check_code(ctx: ServiceContext, challenge_id: str, code: str) -> Challenge:
    """Unauthorized for a wrong, expired or too often tried code."""
    store, id_hash = ctx.sessions, digest(challenge_id or "")
    record = store.challenge(id_hash)
    now = ctx.now()
    expired = Unauthorized(
        "CODE_EXPIRED", "验证码已失效，请重新获取", "the code expired", field="code"
    )
    record = codes.check(store, id_hash, record, code, now, expired)
    store.mark_verified(id_hash)
    return _challenge(challenge_id, record)


def face_check(ctx: ServiceContext, challenge_id: str, evidence: str) -> bool:
    """The provider's face check of the person whose code was checked in this challenge."""
    record = ctx.sessions.challenge(digest(challenge_id or ""))
    if record is None or not record.verified or record.used_at is not None:
        raise Unauthorized("CODE_FIRST", "请先完成短信验证", "verify the code first")
    return ctx.identity.face_check(record.id_number, record.name, evidence)


def verified(ctx: ServiceContext, challenge_id: str) -> Challenge | None:
    """The person whose code was checked in this unused challenge, else None."""
    record = ctx.sessions.challenge(digest(challenge_id or ""))
    if record is None or not record.verified or record.used_at is not None:
        return None
    return _challenge(challenge_id, record)


def consume(ctx: ServiceContext, challenge_id: str) -> Challenge | None:
    """The person of a verified challenge, once: the challenge is used up, and every later call
    (in any process) returns None. Only this makes a session."""
    store, id_hash = ctx.sessions, digest(challenge_id or "")
    record = store.challenge(id_hash)
    if record is None or not record.verified or not record.open(ctx.now()):
        return None
    return _challenge(challenge_id, record) if store.consume_challenge(id_hash, ctx.now()) else None


def send_message(ctx: ServiceContext, to: str, text: str) -> None:
    """A text message to a phone through the SMS gateway, sent once."""
    ctx.sms.submit(phone=to, text=text, client_message_id=secrets.token_hex(16))


def _challenge(challenge_id: str, record: ChallengeRecord) -> Challenge:
    return Challenge(challenge_id, record.id_number, record.name, record.sent_to)


def _checked_input(ctx: ServiceContext, id_number: str, name: str) -> tuple[str, str]:
    errors = []
    number = ""
    try:
        number = parse_resident_id(id_number or "", today=ctx.today()).number
    except FieldError as error:
        errors.append(error)
    clean_name = ""
    try:
        clean_name = PersonName.parse(name, "name").text
    except FieldError as error:
        errors.append(error)
    if errors:
        raise ValidationFailed(errors)
    return number, clean_name


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
