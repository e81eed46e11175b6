"""Real-name login for holders through an identity-verification port.

The port does two things: it checks that an ID number and a name belong together and proves
control of the phone (one-time code), and it runs a live face check. Production plugs in the
government identity provider by configuration; the development provider below checks the ID
number and name against the platform's own records and "sends" codes to an in-process outbox
that only development pages show. ``verifier_for("production")`` refuses it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from opcert.domain.errors import FieldError, Forbidden, NotFound, Unauthorized, ValidationFailed
from opcert.domain.identity import parse_resident_id
from opcert.domain.names import normalise_name
from opcert.services.context import ServiceContext

CODE_LIFETIME = timedelta(minutes=5)
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


@dataclass
class OutboxMessage:
    to: str
    text: str
    at: datetime


@dataclass
class _Pending:
    challenge: Challenge
    code: str
    expires_at: datetime
    attempts: int = 0
    verified: bool = False


@dataclass
class DevelopmentIdentityVerifier:
    """NOT FOR PRODUCTION: trusts the platform's records and shows codes in a page."""

    outbox: list[OutboxMessage] = field(default_factory=list)
    pending: dict[str, _Pending] = field(default_factory=dict)

    def send_code(self, ctx: ServiceContext, id_number: str, name: str) -> Challenge:
        number, clean_name = _checked_input(ctx, id_number, name)
        with ctx.uow() as uow:
            person = uow.intake.person(number)
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
        challenge = Challenge(secrets.token_urlsafe(16), number, clean_name, _masked(phone))
        code = f"{secrets.randbelow(1_000_000):06d}"
        self.pending[challenge.id] = _Pending(challenge, code, ctx.now() + CODE_LIFETIME)
        self.outbox.insert(0, OutboxMessage(phone, f"【特种作业操作证】验证码 {code}", ctx.now()))
        del self.outbox[50:]
        return challenge

    def check_code(self, ctx: ServiceContext, challenge_id: str, code: str) -> Challenge:
        pending = self.pending.get(challenge_id)
        if pending is None or pending.expires_at < ctx.now() or pending.attempts >= MAX_ATTEMPTS:
            self.pending.pop(challenge_id, None)
            raise Unauthorized(
                "CODE_EXPIRED", "验证码已失效，请重新获取", "the code expired", field="code"
            )
        pending.attempts += 1
        if not hmac.compare_digest(pending.code, (code or "").strip()):
            raise Unauthorized("CODE_WRONG", "验证码不正确", "wrong code", field="code")
        pending.verified = True
        return pending.challenge

    def send_message(self, ctx: ServiceContext, to: str, text: str) -> None:
        self.outbox.insert(0, OutboxMessage(to, text, ctx.now()))
        del self.outbox[50:]

    def face_check(self, challenge_id: str, evidence: str) -> bool:
        pending = self.pending.get(challenge_id)
        if pending is None or not pending.verified:
            raise Unauthorized("CODE_FIRST", "请先完成短信验证", "verify the code first")
        return evidence == "pass"

    def verified(self, challenge_id: str) -> Challenge | None:
        pending = self.pending.get(challenge_id)
        return pending.challenge if pending is not None and pending.verified else None


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


def verifier_for(env: str) -> IdentityVerifier:
    """The development provider outside production; production refuses it."""
    if env == "production":
        return UnconfiguredIdentityVerifier()
    return DevelopmentIdentityVerifier()


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


def _masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
