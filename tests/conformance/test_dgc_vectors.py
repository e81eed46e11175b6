"""The EU DCC public test vectors drive the envelope layers SC1 shares with the DCC.

Every `*/2DCode/raw/*.json` under the test data directory (at any depth, as
upstream nests some countries by schema version; `Raw` spelt either way) is
one case, and every flag of it that concerns a shared layer is its own test:

    EXPECTEDUNPREFIX         stripping "HC1:" gives BASE45
    EXPECTEDB45DECODE        Base45-decoding gives COMPRESSED
    EXPECTEDCOMPRESSION      inflating gives COSE
    EXPECTEDDECODE           the COSE_Sign1 and its CWT decode (and carry CBOR)
    EXPECTEDVERIFY           the signature verifies with TESTCTX.CERTIFICATE
    EXPECTEDEXPIRATIONCHECK  iat <= VALIDATIONCLOCK < exp
    EXPECTEDPICTUREDECODE    reading the QR in 2DCODE gives PREFIX

`true` means the step must succeed, `false` that it must fail. A stage that a
file leaves out is derived from the previous one (a file with only PREFIX
and 2DCODE still tests decoding). Skips are explicit and listed, with their
reasons, in DGC_SKIPS.md.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest

from opcert.credential.cose_verify import verify_cose_with_certificate
from opcert.credential.errors import MalformedCredential
from opcert.credential.qr import read_qr
from opcert.credential.sc1 import b45decode, inflate, parse_cose_sign1, unprefix

DCC_PREFIX = "HC1:"
CWT_ISS, CWT_EXP, CWT_IAT, CWT_HCERT = 1, 4, 6, -260
FLAGS = (
    "EXPECTEDUNPREFIX",
    "EXPECTEDB45DECODE",
    "EXPECTEDCOMPRESSION",
    "EXPECTEDDECODE",
    "EXPECTEDVERIFY",
    "EXPECTEDEXPIRATIONCHECK",
    "EXPECTEDPICTUREDECODE",
)
DATA_DIR = Path(
    os.environ.get(
        "DGC_TESTDATA_DIR", Path(__file__).resolve().parents[2].parent / "shared/testdata/dgc"
    )
)

# Upstream files whose expectation is known to be wrong, with the reason.
# Keep in step with DGC_SKIPS.md. Before skipping, the test checks that the
# reason still holds for the file, so a skip cannot outlive its cause.
CLOCK_AT_EXP = (
    "VALIDATIONCLOCK is exactly the CWT exp, and the file expects 'not expired'; RFC 8392 "
    "(exp: on or after which the CWT MUST NOT be accepted) and SC1 section 6 make that "
    "instant expired"
)
KNOWN_UPSTREAM_MISTAKES: Mapping[tuple[str, str], str] = {
    (name, "EXPECTEDEXPIRATIONCHECK"): CLOCK_AT_EXP
    for name in (
        *(f"DK/2DCode/raw/{n}.json" for n in (1, 2, 3, 4, 5, 7, 8, 10, 11, 12)),
        *(f"ES/2DCode/raw/{n}.json" for n in (1501, 1502, 1503)),
        *(f"IE/2DCode/Raw/{n}.json" for n in (1, 2, 3, 4)),
    )
}


def case_files() -> list[Path]:
    return sorted(
        path
        for path in DATA_DIR.rglob("*.json")
        if path.parent.name.lower() == "raw" and path.parent.parent.name == "2DCode"
    )


def load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    return case


def flag_cases() -> list[Any]:
    return list(_flag_cases())


def _flag_cases() -> Iterator[Any]:
    for path in case_files():
        expected = load(path).get("EXPECTEDRESULTS") or {}
        name = path.relative_to(DATA_DIR).as_posix()
        for flag in FLAGS:
            if isinstance(expected.get(flag), bool):
                yield pytest.param(path, flag, expected[flag], id=f"{name}:{flag[8:]}")


def test_the_dgc_test_data_is_present() -> None:
    assert len(case_files()) > 200, f"DCC vectors not found under {DATA_DIR}"


# Each stage is read from the file, or derived from the stage before it.


def stage_base45(case: Mapping[str, Any]) -> str:
    return case["BASE45"] if case.get("BASE45") else unprefix(case["PREFIX"], DCC_PREFIX)


def stage_compressed(case: Mapping[str, Any]) -> bytes:
    if case.get("COMPRESSED"):
        return bytes.fromhex(case["COMPRESSED"])
    return b45decode(stage_base45(case))


def stage_cose(case: Mapping[str, Any]) -> bytes:
    if case.get("COSE"):
        return bytes.fromhex(case["COSE"])
    return inflate(stage_compressed(case))


def cwt_claims(cose: bytes) -> Mapping[Any, Any]:
    claims = cbor2.loads(parse_cose_sign1(cose, allow_cwt_tag=True).payload)
    if not isinstance(claims, Mapping):
        raise MalformedCredential("claims", "", "the payload is not a CWT map")
    return claims


# What each flag checks: True if the step succeeds, False if it fails.


def unprefix_succeeds(case: Mapping[str, Any]) -> bool:
    try:
        stripped = unprefix(case["PREFIX"], DCC_PREFIX)
    except MalformedCredential:
        return False
    return "BASE45" not in case or stripped == case["BASE45"]


def base45_decode_succeeds(case: Mapping[str, Any]) -> bool:
    try:
        compressed = b45decode(stage_base45(case))
    except MalformedCredential:
        return False
    if case.get("COMPRESSED"):
        return compressed == bytes.fromhex(case["COMPRESSED"])
    return True


def inflate_succeeds(case: Mapping[str, Any]) -> bool:
    try:
        cose = inflate(stage_compressed(case))
    except MalformedCredential:
        return False
    return not case.get("COSE") or cose == bytes.fromhex(case["COSE"])


def decode_succeeds(case: Mapping[str, Any]) -> bool:
    try:
        claims = cwt_claims(stage_cose(case))
    except MalformedCredential:
        return False
    hcert = claims.get(CWT_HCERT)
    if not isinstance(hcert, Mapping) or not isinstance(hcert.get(1), Mapping):
        return False  # the certificate itself must be a CBOR map
    if not case.get("CBOR"):
        return True
    try:
        expected = cbor2.loads(bytes.fromhex(case["CBOR"]))
    except (ValueError, cbor2.CBORDecodeError):
        return False
    # Upstream files hold either the certificate or the whole CWT in CBOR.
    # Maps have no order: compare decoded values (upstream README, note 2).
    return expected in (hcert[1], claims)


def signature_verifies(case: Mapping[str, Any]) -> bool:
    try:
        cose = stage_cose(case)
    except MalformedCredential:
        return False
    certificate = base64.b64decode(case["TESTCTX"]["CERTIFICATE"])
    return verify_cose_with_certificate(cose, certificate)


def validation_clock(case: Mapping[str, Any]) -> float:
    return datetime.fromisoformat(case["TESTCTX"]["VALIDATIONCLOCK"]).timestamp()


def clock_is_at_exp(case: Mapping[str, Any]) -> bool:
    return validation_clock(case) == cwt_claims(stage_cose(case)).get(CWT_EXP)


def not_expired(case: Mapping[str, Any]) -> bool:
    clock = validation_clock(case)
    claims = cwt_claims(stage_cose(case))
    issued, expires = claims.get(CWT_IAT), claims.get(CWT_EXP)
    return (issued is None or issued <= clock) and (expires is None or clock < expires)


def picture_reads_as_prefix(case: Mapping[str, Any]) -> bool:
    try:
        texts = read_qr(base64.b64decode(case["2DCODE"]))
    except ValueError:
        return False
    return texts == [case["PREFIX"]]


CHECKS = {
    "EXPECTEDUNPREFIX": (unprefix_succeeds, ("PREFIX",)),
    "EXPECTEDB45DECODE": (base45_decode_succeeds, ("PREFIX|BASE45",)),
    "EXPECTEDCOMPRESSION": (inflate_succeeds, ("PREFIX|BASE45|COMPRESSED",)),
    "EXPECTEDDECODE": (decode_succeeds, ("PREFIX|BASE45|COMPRESSED|COSE",)),
    "EXPECTEDVERIFY": (signature_verifies, ("PREFIX|BASE45|COMPRESSED|COSE", "CERTIFICATE")),
    "EXPECTEDEXPIRATIONCHECK": (not_expired, ("PREFIX|BASE45|COMPRESSED|COSE", "VALIDATIONCLOCK")),
    "EXPECTEDPICTUREDECODE": (picture_reads_as_prefix, ("2DCODE", "PREFIX")),
}


STILL_HOLDS = {CLOCK_AT_EXP: clock_is_at_exp}


def missing_input(case: Mapping[str, Any], needs: tuple[str, ...]) -> str | None:
    available = {key for key, value in case.items() if value}
    available |= {key for key, value in (case.get("TESTCTX") or {}).items() if value}
    for alternatives in needs:
        if not available & set(alternatives.split("|")):
            return alternatives
    return None


@pytest.mark.parametrize(("path", "flag", "expected"), flag_cases())
def test_a_dcc_vector_flag_holds_for_our_envelope_layers(
    path: Path, flag: str, expected: bool
) -> None:
    name = path.relative_to(DATA_DIR).as_posix()
    case = load(path)
    reason = KNOWN_UPSTREAM_MISTAKES.get((name, flag))
    if reason is not None:
        assert STILL_HOLDS[reason](case), f"{name}: the recorded skip reason no longer holds"
        pytest.skip(f"{name} {flag}: known upstream mistake: {reason}")
    check, needs = CHECKS[flag]
    absent = missing_input(case, needs)
    if absent is not None:
        pytest.skip(f"{name} {flag}: the file has no {absent} to test with")
    assert check(case) is expected, f"{name}: {flag} expected {expected}"
