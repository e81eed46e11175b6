"""The abuse policy in one place: every named limit, what it is counted per, and its rule.

Rules use the ``limits`` notation (``"5/minute;10/hour"``): every part must have room for a
request to pass, so a rule with several parts makes the wait grow with the count (officer
login: after 5 failures wait up to a minute, after 10 up to an hour, after 20 up to a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from limits import RateLimitItem, parse_many


class Per(StrEnum):
    """What a limit is counted per; decides how the subject is turned into a storage key."""

    ADDRESS = "address"
    ID_NUMBER = "id_number"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Limit:
    name: str
    per: Per
    rule: str
    refusal_zh: str  # the first half of the refusal, "…, try again in N minutes"
    refusal_en: str

    @cached_property
    def items(self) -> list[RateLimitItem]:
        return parse_many(self.rule)


# The names the interfaces use. Each one is a line of docs/security/abuse.md.
PUBLIC_QUERY = "public_query"
VERIFY_PHOTO = "verify_photo"
CAPTCHA_IMAGE = "captcha_image"
HOLDER_LOGIN_ADDRESS = "holder_login_address"
HOLDER_LOGIN_ID = "holder_login_id_number"
HOLDER_SMS = "holder_sms"
HOLDER_CODE = "holder_code_address"
HOLDER_SMS_PHONE = "holder_sms_phone"
HOLDER_RESEND = "holder_sms_resend"
OFFICER_LOGIN_ACCOUNT = "officer_login_account"
OFFICER_LOGIN_ADDRESS = "officer_login_address"
FAKE_REPORT = "fake_report"


# The limits that do not depend on a setting.
FIXED_LIMITS = (
    Limit(
        VERIFY_PHOTO,
        Per.ADDRESS,
        "10/minute;100/hour",
        "上传照片过于频繁",
        "too many photo uploads",
    ),
    Limit(
        CAPTCHA_IMAGE,
        Per.ADDRESS,
        "60/minute;600/hour",
        "获取验证码图片过于频繁",
        "too many captcha images",
    ),
    Limit(
        HOLDER_LOGIN_ADDRESS,
        Per.ADDRESS,
        "10/minute;60/hour",
        "登录尝试过于频繁",
        "too many login attempts",
    ),
    # Per ID number: guessing the name that goes with someone's ID number.
    Limit(
        HOLDER_LOGIN_ID,
        Per.ID_NUMBER,
        "10/hour;20/day",
        "登录尝试过于频繁",
        "too many login attempts",
    ),
    # Codes actually sent to the holder's phone (SMS bombing, cost).
    Limit(
        HOLDER_SMS,
        Per.ID_NUMBER,
        "3/10 minutes;10/day",
        "短信验证码发送次数过多",
        "too many codes sent",
    ),
    # Codes sent to one phone number, whoever asks (a new login phone typed by several holders).
    Limit(
        HOLDER_SMS_PHONE,
        Per.ACCOUNT,
        "5/hour;10/day",
        "该手机号收到的验证码过多",
        "too many codes sent to this phone",
    ),
    # 重新发送 within one login or one phone change (besides the 60 s between two codes).
    Limit(
        HOLDER_RESEND,
        Per.ACCOUNT,
        "3/10 minutes;6/hour",
        "重新发送次数过多",
        "too many resends",
    ),
    Limit(
        HOLDER_CODE,
        Per.ADDRESS,
        "20/minute;100/hour",
        "验证码尝试过于频繁",
        "too many code attempts",
    ),
    # Failed officer logins only; a success clears the account's count.
    Limit(
        OFFICER_LOGIN_ACCOUNT,
        Per.ACCOUNT,
        "5/minute;10/hour;20/day",
        "登录失败次数过多，已暂时锁定",
        "too many failed logins, locked for now",
    ),
    Limit(
        OFFICER_LOGIN_ADDRESS,
        Per.ADDRESS,
        "20/minute;100/hour;300/day",
        "登录失败次数过多，已暂时锁定",
        "too many failed logins, locked for now",
    ),
    Limit(FAKE_REPORT, Per.ADDRESS, "5/hour;20/day", "举报过于频繁", "too many reports"),
)


def default_policy(query_rate_per_minute: int = 30) -> dict[str, Limit]:
    """Every limit by name. ``query_rate_per_minute`` is ``OPCERT_QUERY_RATE_PER_MINUTE``."""
    rate = max(1, query_rate_per_minute)
    # The page and the API share one count per address: using both gives no more.
    query = Limit(
        PUBLIC_QUERY,
        Per.ADDRESS,
        f"{rate}/minute;{rate * 10}/hour",
        "查询过于频繁",
        "too many queries",
    )
    return {limit.name: limit for limit in (query, *FIXED_LIMITS)}
