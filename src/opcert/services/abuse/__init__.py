"""Abuse controls shared across processes and machines: named rate limits (``policy``), the
client address behind trusted proxies (``addresses``), one-time marks (``controls``) and the
throttled logins (``logins``)."""

from opcert.services.abuse.controls import AbuseControls, AbuseStoreUnavailable, TooManyRequests
from opcert.services.abuse.policy import (
    CAPTCHA_IMAGE,
    FAKE_REPORT,
    HOLDER_CODE,
    HOLDER_LOGIN_ADDRESS,
    HOLDER_LOGIN_ID,
    HOLDER_SMS,
    OFFICER_LOGIN_ACCOUNT,
    OFFICER_LOGIN_ADDRESS,
    PUBLIC_QUERY,
    VERIFY_PHOTO,
    Limit,
    Per,
    default_policy,
)

__all__ = [
    "CAPTCHA_IMAGE",
    "FAKE_REPORT",
    "HOLDER_CODE",
    "HOLDER_LOGIN_ADDRESS",
    "HOLDER_LOGIN_ID",
    "HOLDER_SMS",
    "OFFICER_LOGIN_ACCOUNT",
    "OFFICER_LOGIN_ADDRESS",
    "PUBLIC_QUERY",
    "VERIFY_PHOTO",
    "AbuseControls",
    "AbuseStoreUnavailable",
    "Limit",
    "Per",
    "TooManyRequests",
    "default_policy",
]
