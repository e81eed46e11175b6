"""Spec section 6 in order: white space, claims after the signature, the key's issuer and nbf,
the transparency-log seam, and status lists that are fresh and never rolled back."""

from __future__ import annotations

import dataclasses
import zlib
from datetime import timedelta

import cbor2
import pytest

from opcert.credential.base45_codec import b45decode, b45encode
from opcert.credential.claims import CWT_CERTIFICATE
from opcert.credential.cose import encode_cose_sign1, protected_header_bytes, sig_structure
from opcert.credential.freshness import RevisionsInMemory
from opcert.credential.keys import SoftwareSigner
from opcert.credential.sc1 import encode
from opcert.credential.verifier import StaticStatusSource, Verdict, VerificationResult, verify

from .builders import (
    ISSUED_AT,
    NOW,
    make_payload,
    make_signer,
    make_status_list,
    make_trust_list,
    make_trusted_key,
)


def run(
    text: str,
    signer: SoftwareSigner,
    *lists: object,
    revisions: RevisionsInMemory | None = None,
    **options: object,
) -> VerificationResult:
    return verify(
        text,
        trust_list=make_trust_list(make_trusted_key(signer, **options)),  # type: ignore[arg-type]
        statuses=StaticStatusSource(lists or [make_status_list()]),  # type: ignore[arg-type]
        now=NOW,
        revisions=revisions,
    )


def signed_cbor(signer: SoftwareSigner, claims: object) -> str:
    """A correctly signed SC1 string over any CBOR payload."""
    protected = protected_header_bytes(signer.alg, signer.kid)
    body = cbor2.dumps(claims)
    cose = encode_cose_sign1(protected, body, signer.sign(sig_structure(protected, body)))
    return "SC1:" + b45encode(zlib.compress(cose))


def with_claims_changed(text: str, change: object) -> str:
    """The same COSE_Sign1 with one certificate claim replaced, the signature left as it was."""
    cose = cbor2.loads(zlib.decompress(b45decode(text[4:])))
    protected, unprotected, payload, signature = cose.value
    claims = cbor2.loads(payload)
    claims[CWT_CERTIFICATE]["nam"] = change
    body = cbor2.dumps(claims)
    tampered = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, body, signature]))
    return "SC1:" + b45encode(zlib.compress(tampered))


@pytest.mark.parametrize("around", ["\r\n", "\n", " ", "\t", "  \r\n\x0b\x0c"])
def test_a_scanners_ascii_white_space_around_the_string_is_forgiven(
    signer: SoftwareSigner, around: str
) -> None:
    text = encode(make_payload(), signer)
    assert run(around + text + around, signer).verdict is Verdict.VALID


@pytest.mark.parametrize("around", ["\u3000", "\u00a0", "\ufeff", "\u2028", "\x00"])
def test_no_other_white_space_or_prefix_is_forgiven(signer: SoftwareSigner, around: str) -> None:
    text = encode(make_payload(), signer)
    assert run(around + text, signer).verdict is Verdict.MALFORMED
    assert run(text + around, signer).verdict is not Verdict.VALID


def test_a_lowercase_or_foreign_prefix_is_malformed(signer: SoftwareSigner) -> None:
    text = encode(make_payload(), signer)
    assert run("sc1:" + text[4:], signer).verdict is Verdict.MALFORMED
    assert run("HC1:" + text[4:], signer).verdict is Verdict.MALFORMED


def test_a_tampered_claim_gives_bad_signature_and_is_shown_as_unverified(
    signer: SoftwareSigner,
) -> None:
    result = run(with_claims_changed(encode(make_payload(), signer), "冒名者"), signer)
    assert result.verdict is Verdict.BAD_SIGNATURE
    assert result.to_json()["certificate_verified"] is False
    assert result.payload is not None and result.payload.certificate.nam == "冒名者"


def test_a_tampered_claim_that_breaks_the_claims_gives_bad_signature_not_malformed(
    signer: SoftwareSigner,
) -> None:
    result = run(with_claims_changed(encode(make_payload(), signer), 12345), signer)
    assert result.verdict is Verdict.BAD_SIGNATURE


def test_a_correctly_signed_payload_with_ill_typed_claims_is_malformed(
    signer: SoftwareSigner,
) -> None:
    claims = make_payload().to_cbor_map()
    claims[CWT_CERTIFICATE]["nam"] = 12345  # type: ignore[index]
    assert run(signed_cbor(signer, claims), signer).verdict is Verdict.MALFORMED


def test_an_unknown_key_is_reported_before_the_claims_are_read(signer: SoftwareSigner) -> None:
    stranger = make_signer()
    result = run(signed_cbor(stranger, ["not", "a", "claims", "map"]), signer)
    assert result.verdict is Verdict.UNKNOWN_KEY


def test_a_credential_signed_before_its_keys_nbf_gives_bad_signature(
    signer: SoftwareSigner,
) -> None:
    text = encode(make_payload(iat=ISSUED_AT), signer)
    assert run(text, signer, nbf=ISSUED_AT).verdict is Verdict.VALID
    result = run(text, signer, nbf=ISSUED_AT + 1)
    assert result.verdict is Verdict.BAD_SIGNATURE
    assert "nbf" in result.check("signature").message_en


def test_a_payload_whose_iss_is_not_the_keys_issuer_gives_bad_signature(
    signer: SoftwareSigner,
) -> None:
    text = encode(make_payload(iss="CN-500000"), signer)
    assert run(text, signer).verdict is Verdict.BAD_SIGNATURE


def test_the_log_seam_is_asked_with_the_cose_bytes_and_false_gives_not_logged(
    signer: SoftwareSigner,
) -> None:
    text = encode(make_payload(), signer)
    asked: list[bytes] = []

    def logged(cose: bytes) -> bool:
        asked.append(cose)
        return False

    result = verify(
        text,
        trust_list=make_trust_list(make_trusted_key(signer)),
        statuses=StaticStatusSource([make_status_list({12345: 1})]),
        now=NOW,
        logged=logged,
    )
    assert result.verdict is Verdict.NOT_LOGGED
    assert asked == [zlib.decompress(b45decode(text[4:]))]


def test_a_logged_credential_goes_on_to_its_status(signer: SoftwareSigner) -> None:
    result = verify(
        encode(make_payload(), signer),
        trust_list=make_trust_list(make_trusted_key(signer)),
        statuses=StaticStatusSource([make_status_list()]),
        now=NOW,
        logged=lambda cose: True,
    )
    assert result.verdict is Verdict.VALID


def test_an_expired_status_list_gives_status_unknown_with_the_lists_age(
    signer: SoftwareSigner,
) -> None:
    issued = int((NOW - timedelta(days=400)).timestamp())
    old = make_status_list(iat=issued, exp=issued + 86400)
    result = run(encode(make_payload(), signer), signer, old)
    assert result.verdict is Verdict.STATUS_UNKNOWN
    assert result.check("status").code == "STATUS_UNKNOWN"
    assert "400 days" in result.check("status").message_en
    assert result.status_age_seconds == 400 * 86400


def test_a_status_list_without_exp_gives_status_unknown(signer: SoftwareSigner) -> None:
    listed = make_status_list()
    undated = dataclasses.replace(listed, exp=None)
    assert run(encode(make_payload(), signer), signer, undated).verdict is Verdict.STATUS_UNKNOWN


def test_a_rolled_back_status_list_is_refused_and_a_newer_one_accepted(
    signer: SoftwareSigner,
) -> None:
    text = encode(make_payload(), signer)
    memory = RevisionsInMemory()
    revoked_at_rev_5 = make_status_list({12345: 1}, rev=5)
    assert run(text, signer, revoked_at_rev_5, revisions=memory).verdict is Verdict.REVOKED
    assert memory.highest("CN-440400-0001") == 5
    before_revocation = make_status_list(rev=4)
    rolled_back = run(text, signer, before_revocation, revisions=memory)
    assert rolled_back.verdict is Verdict.STATUS_UNKNOWN
    assert "older" in rolled_back.check("status").message_en
    assert run(text, signer, make_status_list(rev=5), revisions=memory).verdict is Verdict.VALID
    assert run(text, signer, make_status_list(rev=9), revisions=memory).verdict is Verdict.VALID
    assert memory.highest("CN-440400-0001") == 9


def test_a_list_refused_as_expired_is_not_remembered(signer: SoftwareSigner) -> None:
    memory = RevisionsInMemory()
    issued = int((NOW - timedelta(days=3)).timestamp())
    expired = make_status_list(iat=issued, exp=issued + 86400, rev=50)
    assert (
        run(encode(make_payload(), signer), signer, expired, revisions=memory).verdict
        is Verdict.STATUS_UNKNOWN
    )
    assert memory.highest("CN-440400-0001") is None
