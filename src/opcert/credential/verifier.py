"""Offline verification of an SC1 string (spec section 6), in the spec's order.

`verify` never raises: whatever it is given, it answers with a verdict and
five named checks (decode, key, signature, dates, status), later checks
"skipped" after a failure. Time is a parameter; nothing here reads a clock.

Extension to the spec's verdicts: STATUS_UNKNOWN means signature and dates
are fine but no usable status list was available (offline, a list that does
not cover the entry, or one from another issuer). It is distinct from
REVOKED so that a verifier can say "could not check" rather than "void".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from opcert.credential.claims import CredentialPayload, parse_date, start_of_day
from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import kid_b64, verify_signature
from opcert.credential.sc1 import decode
from opcert.credential.statuslist import StatusList
from opcert.credential.trustlist import TrustedKey, TrustList
from opcert.credential.verdict_checks import (
    DATES_PASSED,
    DECODE_PASSED,
    KEY_PASSED,
    SIGNATURE_PASSED,
    Check,
    Outcome,
    failed,
    skipped_after,
    stale_trust_list,
    status_check,
)

__all__ = [
    "Check",
    "Outcome",
    "StaticStatusSource",
    "StatusSource",
    "Verdict",
    "VerificationResult",
    "verify",
]

_log = logging.getLogger(__name__)


class Verdict(StrEnum):
    """The answer of a verification; STATUS_UNKNOWN is an extension (see the module doc)."""

    VALID = "VALID"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    REVOKED = "REVOKED"
    SUPERSEDED = "SUPERSEDED"
    SUSPENDED = "SUSPENDED"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    KEY_REVOKED = "KEY_REVOKED"
    MALFORMED = "MALFORMED"
    STATUS_UNKNOWN = "STATUS_UNKNOWN"


_VERDICT_BY_STATUS = {
    0: Verdict.VALID,
    1: Verdict.REVOKED,
    2: Verdict.SUPERSEDED,
    3: Verdict.SUSPENDED,
    None: Verdict.STATUS_UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """A verdict with its five checks and, where decoding got that far, the payload."""

    verdict: Verdict
    checks: tuple[Check, ...]
    payload: CredentialPayload | None
    key: TrustedKey | None
    checked_at: datetime
    status_age_seconds: int | None

    def check(self, name: str) -> Check:
        """The check called `name`; KeyError if there is none."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_json(self) -> dict[str, object]:
        """The answer of the verify endpoint, plus the checks and who issued what."""
        payload = self.payload
        return {
            "verdict": str(self.verdict),
            "certificate": payload.certificate.to_json() if payload else None,
            "checked_at": self.checked_at.isoformat(),
            "checks": [check.to_json() for check in self.checks],
            "issuer": payload.iss if payload else None,
            "iat": payload.iat if payload else None,
            "exp": payload.exp if payload else None,
            "kid": kid_b64(self.key.kid) if self.key else None,
            "status_age_seconds": self.status_age_seconds,
        }


class StatusSource(Protocol):
    """Where the verifier gets status lists: network, cache, or a file carried offline.

    `get` returns a verified list or None when none is available.
    """

    def get(self, list_id: str) -> StatusList | None: ...


class StaticStatusSource:
    """A `StatusSource` over lists already at hand (tests, offline bundles)."""

    def __init__(self, lists: Iterable[StatusList] = ()) -> None:
        self._lists = {status_list.list_id: status_list for status_list in lists}

    def get(self, list_id: str) -> StatusList | None:
        return self._lists.get(list_id)


def verify(
    text: str, *, trust_list: TrustList, statuses: StatusSource, now: datetime
) -> VerificationResult:
    """Verify an SC1 string at the instant `now` (a naive `now` is taken as UTC).

    Never raises: an unexpected failure inside (a bug) becomes MALFORMED with
    the code INTERNAL_ERROR on the decode check, and is logged.
    """
    checked_at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    try:
        return _verify(text, trust_list, statuses, checked_at)
    except Exception:
        _log.exception("unexpected failure while verifying a credential")
        zh, en = "无法处理此凭证", "the credential could not be processed"
        check = failed("decode", "INTERNAL_ERROR", zh, en)
        return _result(Verdict.MALFORMED, (check,), None, None, checked_at)


def _result(
    verdict: Verdict,
    checks: tuple[Check, ...],
    payload: CredentialPayload | None,
    key: TrustedKey | None,
    checked_at: datetime,
    status_age_seconds: int | None = None,
) -> VerificationResult:
    return VerificationResult(
        verdict, checks + skipped_after(len(checks)), payload, key, checked_at, status_age_seconds
    )


def _verify(
    text: str, trust_list: TrustList, statuses: StatusSource, now: datetime
) -> VerificationResult:
    try:
        decoded = decode(text)
    except MalformedCredential as exc:
        check = failed("decode", "MALFORMED", exc.message_zh, exc.message_en)
        return _result(Verdict.MALFORMED, (check,), None, None, now)
    payload = decoded.payload
    if payload is None:
        problem = decoded.payload_problem
        zh, en = (problem.message_zh, problem.message_en) if problem else ("内容错误", "bad claims")
        return _result(Verdict.MALFORMED, (failed("decode", "MALFORMED", zh, en),), None, None, now)
    key = trust_list.find(decoded.kid) if decoded.kid is not None else None
    if key is None:
        kid = kid_b64(decoded.kid) if decoded.kid is not None else "-"
        check = failed("key", "UNKNOWN_KEY", f"密钥 {kid} 不在信任列表中", f"key {kid} not trusted")
        return _result(Verdict.UNKNOWN_KEY, (DECODE_PASSED, check), payload, None, now)
    timestamp = now.timestamp()
    key_check = stale_trust_list(trust_list.exp) if trust_list.is_stale(timestamp) else KEY_PASSED
    if decoded.alg != key.cose_alg_id or not verify_signature(
        key.public_key, key.cose_alg_id, decoded.sig_structure(), decoded.signature
    ):
        check = failed("signature", "BAD_SIGNATURE", "签名无效", "the signature does not verify")
        return _result(Verdict.BAD_SIGNATURE, (DECODE_PASSED, key_check, check), payload, key, now)
    return _after_signature(payload, key, key_check, statuses, now)


def _after_signature(
    payload: CredentialPayload,
    key: TrustedKey,
    key_check: Check,
    statuses: StatusSource,
    now: datetime,
) -> VerificationResult:
    if key.revokes(payload.iat):
        check = failed("key", "KEY_REVOKED", "签名密钥已被吊销", "the signing key has been revoked")
        return _result(
            Verdict.KEY_REVOKED, (DECODE_PASSED, check, SIGNATURE_PASSED), payload, key, now
        )
    if payload.iss != key.issuer:
        zh = f"签发机关 {payload.iss} 与密钥所属 {key.issuer} 不符"
        en = f"issuer {payload.iss} is not the key's issuer {key.issuer}"
        check = failed("signature", "BAD_SIGNATURE", zh, en)
        return _result(Verdict.BAD_SIGNATURE, (DECODE_PASSED, key_check, check), payload, key, now)
    passed = (DECODE_PASSED, key_check, SIGNATURE_PASSED)
    timestamp = now.timestamp()
    certificate = payload.certificate
    if timestamp < start_of_day(parse_date(certificate.vfr)):
        zh, en = f"有效期自 {certificate.vfr} 起", f"not valid before {certificate.vfr}"
        check = failed("dates", "NOT_YET_VALID", zh, en)
        return _result(Verdict.NOT_YET_VALID, (*passed, check), payload, key, now)
    if timestamp >= payload.exp:
        zh, en = f"已于 {certificate.vto} 到期", f"expired: valid to {certificate.vto}"
        check = failed("dates", "EXPIRED", zh, en)
        return _result(Verdict.EXPIRED, (*passed, check), payload, key, now)
    value, age, problem = _entry_status(payload, statuses, timestamp)
    verdict = _VERDICT_BY_STATUS[value]
    check = status_check(str(verdict), age, problem)
    return _result(verdict, (*passed, DATES_PASSED, check), payload, key, now, age)


def _entry_status(
    payload: CredentialPayload, statuses: StatusSource, timestamp: float
) -> tuple[int | None, int | None, str | None]:
    """(entry value or None, age of the list in seconds, problem code or None)."""
    list_id, index = payload.certificate.st
    try:
        status_list = statuses.get(list_id)
    except Exception:
        _log.exception("status source failed for %s", list_id)
        return None, None, "SOURCE_FAILED"
    if status_list is None:
        return None, None, "OFFLINE"
    if status_list.list_id != list_id or status_list.iss != payload.iss:
        return None, None, "FOREIGN_LIST"
    age = int(timestamp - status_list.iat)
    value = status_list.status_of(index)
    if value is None:
        return None, age, "INDEX_OUTSIDE_LIST"
    return value, age, "STALE" if age > status_list.ttl else None
