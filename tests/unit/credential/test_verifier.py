from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import cbor2
import pytest

from opcert.credential.base45_codec import b45encode
from opcert.credential.cose import encode_cose_sign1, protected_header_bytes, sig_structure
from opcert.credential.keys import SoftwareSigner
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import StatusList
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList
from opcert.credential.verifier import (
    StaticStatusSource,
    Verdict,
    VerificationResult,
    verify,
)

from .builders import (
    ISSUED_AT,
    NOW,
    make_payload,
    make_status_list,
    make_trust_list,
    make_trusted_key,
)

CHECK_NAMES = ["decode", "key", "signature", "dates", "status"]


def run(
    text: str,
    keys: Iterable[TrustedKey],
    lists: Iterable[StatusList] = (),
    *,
    now: datetime = NOW,
    trust_list: TrustList | None = None,
) -> VerificationResult:
    return verify(
        text,
        trust_list=trust_list or make_trust_list(*keys),
        statuses=StaticStatusSource(lists),
        now=now,
    )


def outcomes(result: VerificationResult) -> list[str]:
    return [str(check.outcome) for check in result.checks]


def test_a_good_credential_in_force_is_valid_with_five_passed_checks(
    signer: SoftwareSigner,
) -> None:
    result = run(encode(make_payload(), signer), [make_trusted_key(signer)], [make_status_list()])
    assert result.verdict is Verdict.VALID
    assert [check.name for check in result.checks] == CHECK_NAMES
    assert outcomes(result) == ["passed"] * 5
    assert result.payload == make_payload()
    assert result.status_age_seconds == 600


def test_an_es256_credential_verifies_like_an_eddsa_one(es256_signer: SoftwareSigner) -> None:
    result = run(
        encode(make_payload(), es256_signer), [make_trusted_key(es256_signer)], [make_status_list()]
    )
    assert result.verdict is Verdict.VALID


def test_garbage_is_malformed_and_every_later_check_is_skipped() -> None:
    result = run("SC1:NOT A CREDENTIAL", [])
    assert result.verdict is Verdict.MALFORMED
    assert outcomes(result) == ["failed", "skipped", "skipped", "skipped", "skipped"]
    assert result.checks[0].message_en
    assert result.payload is None


@pytest.mark.parametrize("text", [None, b"SC1:", 42, "", "\x00" * 10])
def test_anything_that_is_not_an_sc1_string_is_malformed_not_an_exception(text: object) -> None:
    assert run(text, []).verdict is Verdict.MALFORMED  # type: ignore[arg-type]


def test_a_key_missing_from_the_trust_list_is_unknown(
    signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    result = run(encode(make_payload(), signer), [make_trusted_key(root)])
    assert result.verdict is Verdict.UNKNOWN_KEY
    assert outcomes(result) == ["passed", "failed", "skipped", "skipped", "skipped"]
    assert result.payload == make_payload()  # a person sees whose certificate failed


def test_a_signature_by_another_key_under_the_same_kid_is_bad(
    signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    impostor = TrustedKey(
        signer.kid, "CN-440400", "EdDSA", root.public_key(), 0, None, KeyStatus.ACTIVE, None
    )
    result = run(encode(make_payload(), signer), [impostor])
    assert result.verdict is Verdict.BAD_SIGNATURE
    assert result.check("signature").outcome == "failed"


def test_a_header_alg_other_than_the_keys_alg_is_a_bad_signature(
    signer: SoftwareSigner, es256_signer: SoftwareSigner
) -> None:
    mismatched = TrustedKey(
        signer.kid, "CN-440400", "ES256", es256_signer.public_key(), 0, None, KeyStatus.ACTIVE, None
    )
    assert run(encode(make_payload(), signer), [mismatched]).verdict is Verdict.BAD_SIGNATURE


def test_a_credential_claiming_another_issuer_than_the_keys_is_a_bad_signature(
    signer: SoftwareSigner,
) -> None:
    result = run(encode(make_payload(iss="CN-500000"), signer), [make_trusted_key(signer)])
    assert result.verdict is Verdict.BAD_SIGNATURE
    assert "CN-500000" in result.check("signature").message_en


def test_a_key_revoked_at_or_before_signing_voids_the_credential(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer, status=KeyStatus.REVOKED, revoked_at=ISSUED_AT)
    result = run(encode(make_payload(), signer), [key], [make_status_list()])
    assert result.verdict is Verdict.KEY_REVOKED
    assert outcomes(result) == ["passed", "failed", "passed", "skipped", "skipped"]


def test_a_key_revoked_after_signing_leaves_the_credential_valid(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer, status=KeyStatus.REVOKED, revoked_at=ISSUED_AT + 1)
    assert run(encode(make_payload(), signer), [key], [make_status_list()]).verdict is Verdict.VALID


def test_a_retired_keys_credentials_stay_valid(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer, status=KeyStatus.RETIRED)
    assert run(encode(make_payload(), signer), [key], [make_status_list()]).verdict is Verdict.VALID


def test_validity_starts_at_midnight_beijing_time_of_vfr(signer: SoftwareSigner) -> None:
    text = encode(make_payload(vfr="2027-03-02"), signer)
    midnight = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)  # 2027-03-02 00:00 +08:00
    keys, lists = [make_trusted_key(signer)], [make_status_list(iat=int(midnight.timestamp()))]
    before = run(text, keys, lists, now=midnight - timedelta(seconds=1))
    assert before.verdict is Verdict.NOT_YET_VALID
    assert outcomes(before) == ["passed", "passed", "passed", "failed", "skipped"]
    assert run(text, keys, lists, now=midnight).verdict is Verdict.VALID


def test_validity_ends_at_exp(signer: SoftwareSigner) -> None:
    payload = make_payload()
    keys = [make_trusted_key(signer)]
    at_exp = datetime.fromtimestamp(payload.exp, UTC)
    lists = [make_status_list(iat=payload.exp - 60)]
    assert run(encode(payload, signer), keys, lists, now=at_exp).verdict is Verdict.EXPIRED
    just_before = at_exp - timedelta(seconds=1)
    assert run(encode(payload, signer), keys, lists, now=just_before).verdict is Verdict.VALID


@pytest.mark.parametrize(
    ("value", "verdict"),
    [(1, Verdict.REVOKED), (2, Verdict.SUPERSEDED), (3, Verdict.SUSPENDED), (0, Verdict.VALID)],
)
def test_the_status_entry_decides_between_valid_revoked_superseded_and_suspended(
    signer: SoftwareSigner, value: int, verdict: Verdict
) -> None:
    lists = [make_status_list({12345: value, 12344: 1, 12346: 1})]
    result = run(encode(make_payload(), signer), [make_trusted_key(signer)], lists)
    assert result.verdict is verdict


def test_without_any_status_list_the_status_is_unknown_not_revoked(signer: SoftwareSigner) -> None:
    result = run(encode(make_payload(), signer), [make_trusted_key(signer)], [])
    assert result.verdict is Verdict.STATUS_UNKNOWN
    status = result.check("status")
    assert status.outcome == "unknown"
    assert (status.message_zh, status.message_en) == (
        "离线，无法获取状态列表",
        "offline, no status list",
    )


def test_an_index_beyond_the_list_makes_the_status_unknown(signer: SoftwareSigner) -> None:
    text = encode(make_payload(st=("CN-440400-0001", 70000)), signer)
    result = run(text, [make_trusted_key(signer)], [make_status_list()])
    assert result.verdict is Verdict.STATUS_UNKNOWN


def test_a_list_published_under_another_issuer_does_not_count(signer: SoftwareSigner) -> None:
    result = run(
        encode(make_payload(), signer),
        [make_trusted_key(signer)],
        [make_status_list({12345: 0}, iss="CN-500000")],
    )
    assert result.verdict is Verdict.STATUS_UNKNOWN


def test_a_failing_status_source_makes_the_status_unknown(signer: SoftwareSigner) -> None:
    class Broken:
        def get(self, list_id: str) -> StatusList | None:
            raise ConnectionError("network down")

    result = verify(
        encode(make_payload(), signer),
        trust_list=make_trust_list(make_trusted_key(signer)),
        statuses=Broken(),
        now=NOW,
    )
    assert result.verdict is Verdict.STATUS_UNKNOWN


def test_a_list_older_than_its_ttl_still_decides_but_says_how_old_it_is(
    signer: SoftwareSigner,
) -> None:
    three_hours_ago = int(NOW.timestamp()) - 3 * 3600
    keys = [make_trusted_key(signer)]
    fresh_enough = run(
        encode(make_payload(), signer), keys, [make_status_list(iat=three_hours_ago, ttl=3600)]
    )
    assert fresh_enough.verdict is Verdict.VALID
    status = fresh_enough.check("status")
    assert status.outcome == "warning"
    assert (status.message_zh, status.message_en) == (
        "状态列表已过期 3 小时",
        "status list is 3 hours old",
    )
    assert fresh_enough.status_age_seconds == 3 * 3600
    revoked = run(
        encode(make_payload(), signer),
        keys,
        [make_status_list({12345: 1}, iat=three_hours_ago, ttl=3600)],
    )
    assert revoked.verdict is Verdict.REVOKED
    assert "3 hours old" in revoked.check("status").message_en


def test_a_trust_list_past_its_exp_is_used_with_a_warning(signer: SoftwareSigner) -> None:
    stale = make_trust_list(make_trusted_key(signer), exp=int(NOW.timestamp()) - 1)
    result = run(encode(make_payload(), signer), [], [make_status_list()], trust_list=stale)
    assert result.verdict is Verdict.VALID
    assert result.check("key").outcome == "warning"


def test_a_naive_now_is_taken_as_utc(signer: SoftwareSigner) -> None:
    result = run(
        encode(make_payload(), signer),
        [make_trusted_key(signer)],
        [make_status_list()],
        now=NOW.replace(tzinfo=None),
    )
    assert result.verdict is Verdict.VALID
    assert result.checked_at == NOW


def test_the_json_answer_carries_verdict_certificate_time_and_checks(
    signer: SoftwareSigner,
) -> None:
    result = run(encode(make_payload(), signer), [make_trusted_key(signer)], [make_status_list()])
    answer = result.to_json()
    assert answer["verdict"] == "VALID"
    assert answer["certificate"] == make_payload().certificate.to_json()
    assert answer["checked_at"] == "2027-03-01T04:00:00+00:00"
    assert (answer["issuer"], answer["iat"]) == ("CN-440400", ISSUED_AT)
    assert [check["name"] for check in answer["checks"]] == CHECK_NAMES  # type: ignore[attr-defined]


def test_a_malformed_answer_has_no_certificate() -> None:
    answer = run("garbage", []).to_json()
    assert (answer["verdict"], answer["certificate"], answer["issuer"]) == ("MALFORMED", None, None)


def test_a_properly_signed_cwt_without_a_certificate_is_malformed(signer: SoftwareSigner) -> None:
    protected = protected_header_bytes(signer.alg, signer.kid)
    body = cbor2.dumps({1: "CN-440400", 6: ISSUED_AT, 4: ISSUED_AT + 10**8, 7: bytes(16)})
    cose = encode_cose_sign1(protected, body, signer.sign(sig_structure(protected, body)))
    text = "SC1:" + b45encode(zlib.compress(cose))
    result = run(text, [make_trusted_key(signer)], [make_status_list()])
    assert result.verdict is Verdict.MALFORMED
    assert "certificate" in result.check("decode").message_en


def test_a_bug_inside_verification_becomes_a_logged_malformed_answer(
    signer: SoftwareSigner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr("opcert.credential.verifier.open_envelope", broken)
    result = run(encode(make_payload(), signer), [make_trusted_key(signer)])
    assert result.verdict is Verdict.MALFORMED
    assert result.check("decode").code == "INTERNAL_ERROR"
    assert "unexpected failure" in caplog.text
