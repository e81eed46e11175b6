"""Logins under the abuse policy: the limits wrapped around the registry and identity calls, so
the web pages and the API throttle the same way."""

from __future__ import annotations

from opcert.domain.errors import Unauthorized
from opcert.services.abuse.controls import AbuseControls
from opcert.services.abuse.policy import (
    HOLDER_CODE,
    HOLDER_LOGIN_ADDRESS,
    HOLDER_LOGIN_ID,
    HOLDER_SMS,
    OFFICER_LOGIN_ACCOUNT,
    OFFICER_LOGIN_ADDRESS,
)
from opcert.services.holders.identity import Challenge, IdentityVerifier
from opcert.services.kernel import authentication
from opcert.services.kernel.context import ServiceContext


def officer_login(
    controls: AbuseControls, ctx: ServiceContext, username: str, password: str, address: str
) -> str:
    """``authentication.officer_login`` behind the failure limits of the account and the address.

    A locked account or address is refused (TooManyRequests) before the password is looked at,
    so a right password guessed during the lock does not work and the refusal says nothing about
    the password. Refusals are not counted; failures are; a success clears the account's count.
    The account is the name as typed, known or not, so the lock reveals no account's existence.
    """
    controls.check(OFFICER_LOGIN_ACCOUNT, username)
    controls.check(OFFICER_LOGIN_ADDRESS, address)
    try:
        token = authentication.officer_login(ctx, username, password)
    except Unauthorized:
        controls.record(OFFICER_LOGIN_ACCOUNT, username)
        controls.record(OFFICER_LOGIN_ADDRESS, address)
        raise
    controls.forget(OFFICER_LOGIN_ACCOUNT, username)
    return token


def send_code(
    controls: AbuseControls,
    verifier: IdentityVerifier,
    ctx: ServiceContext,
    id_number: str,
    name: str,
    address: str,
) -> Challenge:
    """The holder login's first step behind its limits: every attempt counts per address and
    per ID number (guessing the name of someone's ID number); a code actually sent counts per ID
    number (SMS bombing), so failed attempts do not use up the holder's codes."""
    controls.hit(HOLDER_LOGIN_ADDRESS, address)
    controls.hit(HOLDER_LOGIN_ID, id_number)
    controls.check(HOLDER_SMS, id_number)
    challenge = verifier.send_code(ctx, id_number, name)
    controls.record(HOLDER_SMS, id_number)
    return challenge


def check_code(
    controls: AbuseControls,
    verifier: IdentityVerifier,
    ctx: ServiceContext,
    challenge_id: str,
    code: str,
    address: str,
) -> Challenge:
    """The code step behind the per-address limit (each challenge also allows only a few tries)."""
    controls.hit(HOLDER_CODE, address)
    return verifier.check_code(ctx, challenge_id, code)
