"""The checks a verification reports, with their messages in Chinese and English.

The common outcomes are module constants, so a successful verification
builds no check objects at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

CHECK_NAMES = ("decode", "key", "signature", "dates", "status")
_SECONDS_PER_HOUR = 3600


class Outcome(StrEnum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    WARNING = "warning"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Check:
    """One named step of a verification: its outcome, a code, and messages for people."""

    name: str
    outcome: str
    code: str
    message_zh: str
    message_en: str

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "outcome": str(self.outcome),
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def failed(name: str, code: str, message_zh: str, message_en: str) -> Check:
    """A failed check."""
    return Check(name, Outcome.FAILED, code, message_zh, message_en)


DECODE_PASSED = Check("decode", Outcome.PASSED, "OK", "凭证格式正确", "well-formed SC1 credential")
KEY_PASSED = Check("key", Outcome.PASSED, "OK", "签名密钥在信任列表中", "signing key is trusted")
SIGNATURE_PASSED = Check("signature", Outcome.PASSED, "OK", "签名有效", "signature verifies")
DATES_PASSED = Check("dates", Outcome.PASSED, "OK", "在有效期内", "within the validity period")
STATUS_PASSED = Check("status", Outcome.PASSED, "OK", "证书状态正常", "in force")
_SKIPPED = tuple(
    Check(name, Outcome.SKIPPED, "SKIPPED", "未检查", "not checked") for name in CHECK_NAMES
)

_STATUS_FAILURES = {
    "REVOKED": ("证书已撤销、注销或失效", "revoked, cancelled or lapsed"),
    "SUPERSEDED": ("已有更新版本的证书，请出示最新版本", "superseded: present the newer version"),
    "SUSPENDED": ("证书已暂停", "suspended"),
}
_STATUS_UNKNOWN = {
    "OFFLINE": ("离线，无法获取状态列表", "offline, no status list"),
    "SOURCE_FAILED": ("无法获取状态列表", "the status list could not be obtained"),
    "FOREIGN_LIST": ("状态列表不属于该签发机关", "the status list is not the issuer's"),
    "INDEX_OUTSIDE_LIST": ("状态序号超出状态列表范围", "the status index is outside the list"),
    "LIST_EXPIRED": ("状态列表已过期（超过其 exp），请更新", "the status list is past its exp"),
    "ROLLED_BACK": (
        "状态列表的版本比已接受的旧（回滚），已拒绝",
        "the status list is older (rev) than one already accepted: refused",
    ),
}


def untrusted_root_checks(message_zh: str, message_en: str) -> tuple[Check, ...]:
    """The checks of UNTRUSTED_ROOT: the key check failed, nothing else was looked at."""
    return (
        _SKIPPED[0],
        Check("key", Outcome.FAILED, "UNTRUSTED_ROOT", message_zh, message_en),
        *_SKIPPED[2:],
    )


def not_logged() -> Check:
    """The status check when the credential is not in the transparency log (NOT_LOGGED)."""
    return Check(
        "status",
        Outcome.FAILED,
        "NOT_LOGGED",
        "该凭证不在签发透明日志中",
        "the credential is not in the transparency log",
    )


def skipped_after(count: int) -> tuple[Check, ...]:
    """The checks after the first `count`, all skipped."""
    return _SKIPPED[count:]


def stale_trust_list(expired_at: int) -> Check:
    """The key check when the trust list is past its `exp` (the spec says to say so)."""
    when = datetime.fromtimestamp(expired_at, UTC).isoformat()
    return Check(
        "key",
        Outcome.WARNING,
        "STALE_TRUST_LIST",
        f"信任列表已于 {when} 过期，请更新",
        f"the trust list expired at {when}; refresh it",
    )


def _stale_messages(age_seconds: int) -> tuple[str, str]:
    hours = max(1, round(age_seconds / _SECONDS_PER_HOUR))
    return f"状态列表已过期 {hours} 小时", f"status list is {hours} hours old"


def status_check(verdict: str, age_seconds: int | None, problem: str | None) -> Check:
    """The status check for the verdict the status entry led to.

    `problem` is None, "STALE" (the list is older than its ttl: the verdict
    still follows the list, with a warning) or one of the reasons why no
    status could be read.
    """
    stale = problem == "STALE"
    if verdict in _STATUS_FAILURES:
        zh, en = _STATUS_FAILURES[verdict]
        if stale:
            stale_zh, stale_en = _stale_messages(age_seconds or 0)
            zh, en = f"{zh}（{stale_zh}）", f"{en} ({stale_en})"
        return Check("status", Outcome.FAILED, verdict, zh, en)
    if verdict == "VALID":
        if stale:
            zh, en = _stale_messages(age_seconds or 0)
            return Check("status", Outcome.WARNING, "STALE_STATUS_LIST", zh, en)
        return STATUS_PASSED
    zh, en = _STATUS_UNKNOWN.get(problem or "OFFLINE", _STATUS_UNKNOWN["OFFLINE"])
    if age_seconds is not None:
        age_zh, age_en = _age_messages(age_seconds)
        zh, en = f"{zh}（{age_zh}）", f"{en} ({age_en})"
    return Check("status", Outcome.UNKNOWN, "STATUS_UNKNOWN", zh, en)


def _age_messages(age_seconds: int) -> tuple[str, str]:
    hours = age_seconds / _SECONDS_PER_HOUR
    if hours < 48:
        return (
            f"列表签发于 {max(0, round(hours))} 小时前",
            f"list issued {max(0, round(hours))} hours ago",
        )
    days = round(hours / 24)
    return f"列表签发于 {days} 天前", f"list issued {days} days ago"
