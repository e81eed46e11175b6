from __future__ import annotations

import json

import pytest

from opcert.credential.base64url import b64url_decode
from opcert.credential.errors import TrustListError
from opcert.credential.jws import sign_compact
from opcert.credential.keys import SoftwareSigner, kid_b64, public_jwk
from opcert.credential.trustlist import (
    KeyStatus,
    TrustedKey,
    TrustList,
    parse_trust_list,
    sign_trust_list,
)

from .builders import make_trust_list, make_trusted_key


def test_a_key_serializes_exactly_as_the_spec_shows(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer, nbf=1790000000)
    assert key.to_json() == {
        "kid": kid_b64(signer.kid),
        "issuer": "CN-440400",
        "alg": "EdDSA",
        "jwk": public_jwk(signer.public_key()),
        "nbf": 1790000000,
        "exp": None,
        "status": "active",
        "revoked_at": None,
    }
    assert list(key.to_json()) == [
        "kid",
        "issuer",
        "alg",
        "jwk",
        "nbf",
        "exp",
        "status",
        "revoked_at",
    ]


def test_a_trust_list_signed_by_the_root_parses_back_equal(
    signer: SoftwareSigner, es256_signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    trust_list = make_trust_list(
        make_trusted_key(signer),
        make_trusted_key(es256_signer, issuer="CN-500000", status=KeyStatus.RETIRED),
    )
    assert parse_trust_list(sign_trust_list(trust_list, root), root.public_key()) == trust_list


def test_the_trust_list_jws_header_names_eddsa_and_the_root_kid(
    signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    jws = sign_trust_list(make_trust_list(make_trusted_key(signer)), root)
    header = json.loads(b64url_decode(jws.split(".")[0]))
    assert header["alg"] == "EdDSA"
    assert header["kid"] == kid_b64(root.kid)
    assert b" " not in b64url_decode(jws.split(".")[1])


def test_only_an_eddsa_root_signs_the_trust_list(es256_signer: SoftwareSigner) -> None:
    with pytest.raises(ValueError):
        sign_trust_list(make_trust_list(), es256_signer)


def test_a_list_signed_by_another_key_than_the_pinned_root_is_refused(
    signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    forged = sign_trust_list(make_trust_list(make_trusted_key(signer)), signer)
    with pytest.raises(TrustListError):
        parse_trust_list(forged, root.public_key())


def _signed_payload(payload: dict[str, object], root: SoftwareSigner) -> str:
    header = {"alg": "EdDSA", "kid": kid_b64(root.kid)}
    return sign_compact(header, json.dumps(payload).encode(), root)


@pytest.mark.parametrize(
    "change",
    [
        {"kid": "AAAAAAAAAAA"},
        {"alg": "ES256"},
        {"alg": "RS256"},
        {"status": "revoked"},
        {"status": "lost"},
        {"nbf": "1790000000"},
        {"nbf": True},
        {"jwk": {"kty": "RSA"}},
    ],
    ids=[
        "kid not derived from key",
        "alg not fitting key",
        "unknown alg",
        "revoked without revoked_at",
        "unknown status",
        "nbf text",
        "nbf bool",
        "rsa jwk",
    ],
)
def test_an_inconsistent_key_entry_makes_the_list_unusable(
    signer: SoftwareSigner, root: SoftwareSigner, change: dict[str, object]
) -> None:
    entry = make_trusted_key(signer).to_json() | change
    jws = _signed_payload({"iss": "CN", "iat": 1, "exp": 2, "keys": [entry]}, root)
    with pytest.raises(TrustListError):
        parse_trust_list(jws, root.public_key())


def test_a_repeated_kid_makes_the_list_unusable(
    signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    entry = make_trusted_key(signer).to_json()
    jws = _signed_payload({"iss": "CN", "iat": 1, "exp": 2, "keys": [entry, entry]}, root)
    with pytest.raises(TrustListError):
        parse_trust_list(jws, root.public_key())


def test_another_typ_is_refused(root: SoftwareSigner) -> None:
    payload = json.dumps({"iss": "CN", "iat": 1, "exp": 2, "keys": []}).encode()
    jws = sign_compact({"alg": "EdDSA", "typ": "opcert-status-list+jwt"}, payload, root)
    with pytest.raises(TrustListError):
        parse_trust_list(jws, root.public_key())


def test_a_key_is_found_by_its_kid(signer: SoftwareSigner, root: SoftwareSigner) -> None:
    trust_list = make_trust_list(make_trusted_key(signer))
    assert trust_list.find(signer.kid) == make_trusted_key(signer)
    assert trust_list.find(root.kid) is None


def test_a_list_is_stale_from_its_exp_on() -> None:
    trust_list = TrustList(iss="CN", iat=100, exp=200, keys=())
    assert not trust_list.is_stale(199.9)
    assert trust_list.is_stale(200)


def test_a_revoked_key_voids_credentials_signed_from_revoked_at_on(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer, status=KeyStatus.REVOKED, revoked_at=1000)
    assert not key.revokes(999)
    assert key.revokes(1000)
    assert not make_trusted_key(signer, status=KeyStatus.RETIRED).revokes(10**12)


def test_a_trusted_key_with_an_unknown_alg_cannot_be_built(signer: SoftwareSigner) -> None:
    with pytest.raises(ValueError):
        TrustedKey(
            signer.kid, "CN-440400", "RS256", signer.public_key(), 0, None, KeyStatus.ACTIVE, None
        )
