"""Offline verification of an SC1 string (spec section 6), in the spec's order.

`verify` never raises: whatever it is given, it answers with a verdict and
five named checks (decode, key, signature, dates, status), later checks
"skipped" after a failure. Time is a parameter; nothing here reads a clock.

The order is the spec's: trim ASCII white space (step 0; the pinned root is
the caller's, see `untrusted_root`), take the envelope apart (1), find the
key (2), check the signature and only then read the claims (3), the key's
state, issuer and validity start (4), the dates (5), the transparency log
where one is asked for (6), the status list's freshness and revision (7) and
its entry (8).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from opcert.credential.claims import CredentialPayload, parse_date, start_of_day
from opcert.credential.cose import HEADER_ALG, HEADER_KID, sig_structure
from opcert.credential.errors import MalformedCredential
from opcert.credential.freshness import RevisionMemory, list_problem
from opcert.credential.keys import kid_b64, verify_signature
from opcert.credential.sc1 import open_envelope, read_payload
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
    not_logged,
    skipped_after,
    stale_trust_list,
    status_check,
    untrusted_root_checks,
)

__all__ = [
    "ASCII_WHITESPACE",
    "Check",
    "Outcome",
    "StaticStatusSource",
    "StatusSource",
    "Verdict",
    "VerificationResult",
    "malformed",
    "untrusted_root",
    "verify",
]

_log = logging.getLogger(__name__)

# Step 0: a scanner's CR/LF and spaces around the string are forgiven, nothing else (not the
# ideographic space, not a BOM): `str.strip()` without arguments would take Unicode spaces too.
ASCII_WHITESPACE = " \t\n\r\x0b\x0c"


class Verdict(StrEnum):
    """The verdicts of spec section 6."""

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
    UNTRUSTED_ROOT = "UNTRUSTED_ROOT"
    NOT_LOGGED = "NOT_LOGGED"


_VERDICT_BY_STATUS = {
    0: Verdict.VALID,
    1: Verdict.REVOKED,
    2: Verdict.SUPERSEDED,
    3: Verdict.SUSPENDED,
    None: Verdict.STATUS_UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """A verdict with its five checks and, where decoding got that far, the payload.

    `verified` is False when the payload was read without a verified signature (after
    UNKNOWN_KEY or BAD_SIGNATURE): it is shown only as unverified.
    """

    verdict: Verdict
    checks: tuple[Check, ...]
    payload: CredentialPayload | None
    key: TrustedKey | None
    checked_at: datetime
    status_age_seconds: int | None
    verified: bool = True

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
            "certificate_verified": payload is not None and self.verified,
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


def untrusted_root(message_zh: str, message_en: str, now: datetime) -> VerificationResult:
    """The answer for any input when the trust list is not signed by a pinned root (step 0)."""
    checked_at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    checks = untrusted_root_checks(message_zh, message_en)
    return VerificationResult(Verdict.UNTRUSTED_ROOT, checks, None, None, checked_at, None)


def malformed(message_zh: str, message_en: str, now: datetime) -> VerificationResult:
    """MALFORMED for an input that never reached the decoder (an empty input, a directory, a
    file without a QR code), with the reason."""
    checked_at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    check = failed("decode", "MALFORMED", message_zh, message_en)
    return _result(Verdict.MALFORMED, (check,), None, None, checked_at)


def verify(
    text: str,
    *,
    trust_list: TrustList,
    statuses: StatusSource,
    now: datetime,
    revisions: RevisionMemory | None = None,
    logged: Callable[[bytes], bool] | None = None,
) -> VerificationResult:
    """Verify an SC1 string at the instant `now` (a naive `now` is taken as UTC).

    `trust_list` must already have been verified against a pinned root (else answer with
    `untrusted_root`). `revisions` remembers the highest `rev` accepted per status list: an
    older list gives STATUS_UNKNOWN, a newer one is remembered. `logged`, when given, is asked
    whether the COSE_Sign1 bytes are in the transparency log (False gives NOT_LOGGED).

    Never raises: an unexpected failure inside (a bug) becomes MALFORMED with
    the code INTERNAL_ERROR on the decode check, and is logged.
    """
    checked_at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    try:
        steps = _Steps(trust_list, statuses, checked_at, revisions, logged)
        return steps.run(text)
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
    *,
    verified: bool = True,
) -> VerificationResult:
    return VerificationResult(
        verdict,
        checks + skipped_after(len(checks)),
        payload,
        key,
        checked_at,
        status_age_seconds,
        verified,
    )


def _unverified(payload_bytes: bytes) -> CredentialPayload | None:
    """The claims for display only, after a failure that leaves them unverified."""
    try:
        return read_payload(payload_bytes)
    except MalformedCredential:
        return None


@dataclass(slots=True)
class _Steps:
    trust_list: TrustList
    statuses: StatusSource
    now: datetime
    revisions: RevisionMemory | None
    logged: Callable[[bytes], bool] | None

    def run(self, text: str) -> VerificationResult:
        now = self.now
        try:
            if not isinstance(text, str):
                raise MalformedCredential("prefix", "输入不是文本", "the input is not text")
            cose, envelope = open_envelope(text.strip(ASCII_WHITESPACE))
        except MalformedCredential as exc:
            check = failed("decode", "MALFORMED", exc.message_zh, exc.message_en)
            return _result(Verdict.MALFORMED, (check,), None, None, now)
        header = envelope.protected_header
        alg, kid = header.get(HEADER_ALG), header.get(HEADER_KID)
        key = self.trust_list.find(kid) if type(kid) is bytes else None
        if key is None:
            shown = kid_b64(kid) if type(kid) is bytes else "-"
            zh, en = f"密钥 {shown} 不在信任列表中", f"key {shown} not trusted"
            check = failed("key", "UNKNOWN_KEY", zh, en)
            payload = _unverified(envelope.payload)
            return _result(
                Verdict.UNKNOWN_KEY, (DECODE_PASSED, check), payload, None, now, verified=False
            )
        key_check = (
            stale_trust_list(self.trust_list.exp)
            if self.trust_list.is_stale(now.timestamp())
            else KEY_PASSED
        )
        signed = sig_structure(envelope.protected, envelope.payload)
        if alg != key.cose_alg_id or not verify_signature(
            key.public_key, key.cose_alg_id, signed, envelope.signature
        ):
            check = failed(
                "signature", "BAD_SIGNATURE", "签名无效", "the signature does not verify"
            )
            checks = (DECODE_PASSED, key_check, check)
            payload = _unverified(envelope.payload)
            return _result(Verdict.BAD_SIGNATURE, checks, payload, key, now, verified=False)
        try:
            payload = read_payload(envelope.payload)
        except MalformedCredential as exc:
            check = failed("decode", "MALFORMED", exc.message_zh, exc.message_en)
            return _result(Verdict.MALFORMED, (check,), None, key, now)
        return self._after_signature(cose, payload, key, key_check)

    def _after_signature(
        self, cose: bytes, payload: CredentialPayload, key: TrustedKey, key_check: Check
    ) -> VerificationResult:
        now = self.now
        if key.revokes(payload.iat):
            check = failed(
                "key", "KEY_REVOKED", "签名密钥已被吊销", "the signing key has been revoked"
            )
            checks = (DECODE_PASSED, check, SIGNATURE_PASSED)
            return _result(Verdict.KEY_REVOKED, checks, payload, key, now)
        problem = _issuer_problem(payload, key)
        if problem is not None:
            check = failed("signature", "BAD_SIGNATURE", *problem)
            return _result(
                Verdict.BAD_SIGNATURE, (DECODE_PASSED, key_check, check), payload, key, now
            )
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
        if self.logged is not None and not self.logged(cose):
            unlogged = (*passed, DATES_PASSED, not_logged())
            return _result(Verdict.NOT_LOGGED, unlogged, payload, key, now)
        value, age, status_problem = self._entry_status(payload, timestamp)
        verdict = _VERDICT_BY_STATUS[value]
        check = status_check(str(verdict), age, status_problem)
        return _result(verdict, (*passed, DATES_PASSED, check), payload, key, now, age)

    def _entry_status(
        self, payload: CredentialPayload, timestamp: float
    ) -> tuple[int | None, int | None, str | None]:
        """(entry value or None, age of the list in seconds, problem code or None)."""
        list_id, index = payload.certificate.st
        try:
            status_list = self.statuses.get(list_id)
        except Exception:
            _log.exception("status source failed for %s", list_id)
            return None, None, "SOURCE_FAILED"
        if status_list is None:
            return None, None, "OFFLINE"
        if status_list.list_id != list_id or status_list.iss != payload.iss:
            return None, None, "FOREIGN_LIST"
        age = int(timestamp - status_list.iat)
        problem = list_problem(status_list, timestamp, self.revisions)
        if problem is not None:
            return None, age, problem
        value = status_list.status_of(index)
        if value is None:
            return None, age, "INDEX_OUTSIDE_LIST"
        if self.revisions is not None:
            self.revisions.accept(status_list)
        return value, age, "STALE" if age > status_list.ttl else None


def _issuer_problem(payload: CredentialPayload, key: TrustedKey) -> tuple[str, str] | None:
    """Why a correctly signed payload still does not belong to its key (step 4), or None."""
    if payload.iss != key.issuer:
        zh = f"签发机关 {payload.iss} 与密钥所属 {key.issuer} 不符"
        en = f"issuer {payload.iss} is not the key's issuer {key.issuer}"
        return zh, en
    if payload.iat < key.nbf:
        zh = "签发时间早于签名密钥的启用时间"
        en = f"signed at {payload.iat}, before its key's nbf {key.nbf}"
        return zh, en
    return None
