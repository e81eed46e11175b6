"""Real-name login for holders through an identity-verification port.

The port does two things: it checks that an ID number and a name belong together and proves
control of the phone (one-time code), and it runs a live face check. Production plugs in the
government identity provider by configuration; the development provider below checks the ID
number and name against the platform's own records and "sends" codes to an in-process outbox
that only development pages show. ``OPCERT_IDENTITY_PROVIDER`` chooses; production refuses it.

A challenge makes at most one session: ``consume`` hands its person out once. The development
provider keeps its pending challenges in the shared session store (database or Redis), so any app
process can continue a login another one started.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from opcert.domain.errors import FieldError, Forbidden, NotFound, Unauthorized, ValidationFailed
from opcert.domain.identity import parse_resident_id
from opcert.domain.names import normalise_name
from opcert.domain.sessions import ChallengeRecord
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.session_store import SessionStore, digest

CODE_LIFETIME = timedelta(minutes=5)
CHALLENGE_LIFETIME = timedelta(minutes=10)  # the code, then the face check, within this
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Challenge:
    id: str
    id_number: str
    name: str
    sent_to: str


class IdentityVerifier(Protocol):
    """Raises FieldError/NotFound for an unknown person, Unauthorized for a wrong code."""

    def send_code(self, ctx: ServiceContext, id_number: str, name: str) -> Challenge: ...

    def check_code(self, ctx: ServiceContext, challenge_id: str, code: str) -> Challenge: ...

    def face_check(self, challenge_id: str, evidence: str) -> bool: ...

    def send_message(self, ctx: ServiceContext, to: str, text: str) -> None:
        """Send a text message to a phone (the provider's SMS channel)."""
        ...

    def verified(self, challenge_id: str) -> Challenge | None:
        """The person whose code was checked in this challenge, else None."""
        ...

    def consume(self, ctx: ServiceContext, challenge_id: str) -> Challenge | None:
        """The person of a verified challenge, once: the challenge is used up, and every later
        call (in any process) returns None. Only this makes a session."""
        ...


@dataclass
class OutboxMessage:
    to: str
    text: str
    at: datetime


@dataclass
class DevelopmentIdentityVerifier:
    """NOT FOR PRODUCTION: trusts the platform's records and shows codes in a page.

    Pending challenges live in ``store`` (shared by every app process); the outbox is this
    process's own list, shown by its ``/dev/outbox`` page.
    """

    store: SessionStore | None = None
    outbox: list[OutboxMessage] = field(default_factory=list)

    def _store(self) -> SessionStore:
        if self.store is None:
            raise RuntimeError("the development identity provider needs a session store")
        return self.store

    def send_code(self, ctx: ServiceContext, id_number: str, name: str) -> Challenge:
        number, clean_name = _checked_input(ctx, id_number, name)
        with ctx.uow() as uow:
            person = uow.persons.by_id_number(number)
            known = bool(uow.certificates.of_person(number, clean_name))
            phone = person.phone if person is not None else None
        if not known or person is None:
            raise NotFound(
                "PERSON_UNKNOWN",
                "证件号码与姓名不匹配，或名下没有证书",
                "the ID number and name do not match a certificate holder",
                field="id_number",
            )
        phone = phone or "1**********"
        challenge = Challenge(secrets.token_urlsafe(16), number, clean_name, masked_phone(phone))
        code = f"{secrets.randbelow(1_000_000):06d}"
        now = ctx.now()
        id_hash = digest(challenge.id)
        self._store().add_challenge(
            ChallengeRecord(
                id_hash=id_hash,
                id_number=number,
                name=clean_name,
                sent_to=challenge.sent_to,
                code_hash=_code_hash(id_hash, code),
                created_at=now,
                expires_at=now + CHALLENGE_LIFETIME,
            )
        )
        self.outbox.insert(0, OutboxMessage(phone, f"【特种作业操作证】验证码 {code}", now))
        del self.outbox[50:]
        return challenge

    def check_code(self, ctx: ServiceContext, challenge_id: str, code: str) -> Challenge:
        store, id_hash = self._store(), digest(challenge_id or "")
        record = store.challenge(id_hash)
        now = ctx.now()
        expired = Unauthorized(
            "CODE_EXPIRED", "验证码已失效，请重新获取", "the code expired", field="code"
        )
        if (
            record is None
            or not record.open(now)
            or now >= record.created_at + CODE_LIFETIME
            or record.attempts >= MAX_ATTEMPTS
        ):
            raise expired
        # Counted atomically in the store: parallel guesses from several processes all count.
        if store.count_attempt(id_hash) > MAX_ATTEMPTS:
            raise expired
        if not hmac.compare_digest(record.code_hash, _code_hash(id_hash, (code or "").strip())):
            raise Unauthorized("CODE_WRONG", "验证码不正确", "wrong code", field="code")
        store.mark_verified(id_hash)
        return _challenge(challenge_id, record)

    def send_message(self, ctx: ServiceContext, to: str, text: str) -> None:
        self.outbox.insert(0, OutboxMessage(to, text, ctx.now()))
        del self.outbox[50:]

    def face_check(self, challenge_id: str, evidence: str) -> bool:
        record = self._store().challenge(digest(challenge_id or ""))
        if record is None or not record.verified or record.used_at is not None:
            raise Unauthorized("CODE_FIRST", "请先完成短信验证", "verify the code first")
        return evidence == "pass"

    def verified(self, challenge_id: str) -> Challenge | None:
        record = self._store().challenge(digest(challenge_id or ""))
        if record is None or not record.verified or record.used_at is not None:
            return None
        return _challenge(challenge_id, record)

    def consume(self, ctx: ServiceContext, challenge_id: str) -> Challenge | None:
        store, id_hash = self._store(), digest(challenge_id or "")
        record = store.challenge(id_hash)
        if record is None or not record.verified or not record.open(ctx.now()):
            return None
        return (
            _challenge(challenge_id, record)
            if store.consume_challenge(id_hash, ctx.now())
            else None
        )


def _challenge(challenge_id: str, record: ChallengeRecord) -> Challenge:
    return Challenge(challenge_id, record.id_number, record.name, record.sent_to)


def _code_hash(id_hash: str, code: str) -> str:
    return hashlib.sha256(f"{id_hash}:{code}".encode()).hexdigest()


class UnconfiguredIdentityVerifier:
    """Production without a configured provider: every login is refused, clearly."""

    def _refuse(self) -> Forbidden:
        return Forbidden(
            "IDENTITY_PROVIDER_MISSING",
            "实名认证服务未配置，请联系平台管理员",
            "no identity provider is configured",
        )

    def send_code(self, ctx: ServiceContext, id_number: str, name: str) -> Challenge:
        raise self._refuse()

    def check_code(self, ctx: ServiceContext, challenge_id: str, code: str) -> Challenge:
        raise self._refuse()

    def face_check(self, challenge_id: str, evidence: str) -> bool:
        raise self._refuse()

    def send_message(self, ctx: ServiceContext, to: str, text: str) -> None:
        raise self._refuse()

    def verified(self, challenge_id: str) -> Challenge | None:
        return None

    def consume(self, ctx: ServiceContext, challenge_id: str) -> Challenge | None:
        return None


def verifier_for(
    env: str, store: SessionStore | None = None, provider: str = "development"
) -> IdentityVerifier:
    """The provider named by ``OPCERT_IDENTITY_PROVIDER``. The development provider (challenges
    in ``store``, and its in-process SMS outbox) never serves production, even if settings let it
    through."""
    if env == "production" or provider != "development":
        return UnconfiguredIdentityVerifier()
    return DevelopmentIdentityVerifier(store)


def _checked_input(ctx: ServiceContext, id_number: str, name: str) -> tuple[str, str]:
    errors = []
    number = ""
    try:
        number = parse_resident_id(id_number or "", today=ctx.today()).number
    except FieldError as error:
        errors.append(error)
    clean_name = ""
    try:
        clean_name = normalise_name(name, "name")
    except FieldError as error:
        errors.append(error)
    if errors:
        raise ValidationFailed(errors)
    return number, clean_name


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
