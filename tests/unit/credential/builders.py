"""Builders for credential tests: keyword defaults, so a test shows only what matters to it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import ALG_EDDSA, Signer, SoftwareSigner, generate_private_key
from opcert.credential.statuslist import StatusBits, StatusList
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList

ISSUER = "CN-440400"
LIST_ID = "CN-440400-0001"
ISSUED_AT = int(datetime(2026, 11, 20, 9, 30, tzinfo=UTC).timestamp())
# 2027-03-01 12:00 Beijing time: inside the validity of the default certificate.
NOW = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)


def make_signer(alg: int = ALG_EDDSA) -> SoftwareSigner:
    return SoftwareSigner(generate_private_key(alg))


def make_certificate(**overrides: object) -> CertificateClaims:
    fields: dict[str, object] = {
        "typ": "SO",
        "no": "T440402199003071234",
        "nam": "张三",
        "sex": 1,
        "cat": "1",
        "itm": "1.2",
        "itn": "低压电工作业",
        "fst": "2026-11-20",
        "vfr": "2026-11-20",
        "vto": "2032-11-20",
        "rvd": "2029-11-20",
        "aut": "珠海市应急管理局",
        "rs": "MEM19",
        "st": (LIST_ID, 12345),
    }
    fields.update(overrides)
    return CertificateClaims(**fields)  # type: ignore[arg-type]


def make_payload(
    *,
    iss: str = ISSUER,
    iat: int = ISSUED_AT,
    exp: int | None = None,
    cti: bytes = bytes(range(16)),
    **certificate_fields: object,
) -> CredentialPayload:
    certificate = make_certificate(**certificate_fields)
    if exp is None:
        exp = exp_for(date.fromisoformat(certificate.vto))
    return CredentialPayload(iss=iss, iat=iat, exp=exp, cti=cti, certificate=certificate)


def make_trusted_key(
    signer: Signer,
    *,
    issuer: str = ISSUER,
    status: KeyStatus = KeyStatus.ACTIVE,
    revoked_at: int | None = None,
    nbf: int = ISSUED_AT - 86400,
    exp: int | None = None,
) -> TrustedKey:
    alg = "EdDSA" if signer.alg == ALG_EDDSA else "ES256"
    return TrustedKey(signer.kid, issuer, alg, signer.public_key(), nbf, exp, status, revoked_at)


def make_trust_list(*keys: TrustedKey, iat: int = ISSUED_AT, exp: int | None = None) -> TrustList:
    expires = exp if exp is not None else int(NOW.timestamp()) + 86400
    return TrustList(iss="CN", iat=iat, exp=expires, keys=tuple(keys))


def make_status_list(
    values: dict[int, int] | None = None,
    *,
    list_id: str = LIST_ID,
    iss: str = ISSUER,
    iat: int | None = None,
    ttl: int = 3600,
    exp: int | None = None,
    rev: int = 1,
) -> StatusList:
    issued = iat if iat is not None else int(NOW.timestamp()) - 600
    expires = exp if exp is not None else issued + 86400
    bits = StatusBits.from_values(65536, values or {})
    return StatusList(
        list_id=list_id, iss=iss, iat=issued, ttl=ttl, bits=bits, exp=expires, rev=rev
    )
