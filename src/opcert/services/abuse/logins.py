"""Officer logins under the abuse policy, so the web pages and the API throttle the same way.
The holder login's limits are part of its use case, ``services.holders.identity``."""

from __future__ import annotations

from opcert.domain.errors import Unauthorized
from opcert.services.abuse.controls import AbuseControls
from opcert.services.abuse.policy import OFFICER_LOGIN_ACCOUNT, OFFICER_LOGIN_ADDRESS
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
