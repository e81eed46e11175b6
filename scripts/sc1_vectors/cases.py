"""The well-formed cases of the published SC1 test vectors: every verdict but MALFORMED.

Each group returns its cases in a fixed order; `Kit` gives every credential its own status
slot holding the value the case needs. `scripts.sc1_vectors.document` assembles the document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from opcert.credential.claims import (
    SHANGHAI,
    CertificateClaims,
    CredentialPayload,
    exp_for,
    parse_date,
)
from opcert.credential.keys import ALG_ES256
from scripts.sc1_vectors.envelopes import envelope, printed
from scripts.sc1_vectors.keys import (
    CHONGQING_ES256,
    CLOCK,
    REVOKED_AT,
    UNTRUSTED,
    ZHUHAI,
    ZHUHAI_RETIRED,
    ZHUHAI_REVOKED,
    StatusSlots,
    VectorKey,
)

ISSUED_AT = int(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI).timestamp())
# The holders' resident ID numbers (GB 11643, check digits included). Every certificate's claims
# are those the platform would issue: `scripts/make_vectors.py` refuses to write a vector whose
# claims break the domain rules (`opcert.domain.credential_claims`), and a conformance test
# holds the published files to them.
ZHANG_SAN_ID = "440402199003071232"  # 珠海市香洲区, born 1990-03-07, male
LI_SI_ID = "50010319880512131X"  # 重庆市渝中区, born 1988-05-12, male
WANG_WU_ID = "440402199208152423"  # 珠海市香洲区, born 1992-08-15, female
AUTHORITIES = {"CN-440400": "珠海市应急管理局", "CN-500000": "重庆市应急管理局"}
STATUS_LISTS = {"CN-440400": "CN-440400-0001", "CN-500000": "CN-500000-0001"}
# Steps 7 and 8 decide: the case names the list its verdict comes from.
STATUS_VERDICTS = frozenset({"VALID", "REVOKED", "SUPERSEDED", "SUSPENDED", "STATUS_UNKNOWN"})
# Issued on 2026-11-20 under MEM Order 19 (in force from 2026-06-01): six years' validity and
# no review date (rvd), as the platform issues it.
DEFAULT_CERTIFICATE: dict[str, Any] = {
    "typ": "SO",
    "no": "T" + ZHANG_SAN_ID,
    "nam": "张三",
    "sex": 1,
    "cat": "1",
    "itm": "1.2",
    "itn": "低压电工作业",
    "fst": "2026-11-20",
    "vfr": "2026-11-20",
    "vto": "2032-11-20",
    "rs": "MEM19",
}


@dataclass(frozen=True, slots=True)
class VectorCase:
    """One published case: an SC1 string, the instant to verify it at, and the verdict.

    `status_list` names the list the verifier must consult when the verdict depends on it;
    `malformed_layer` the envelope layer that fails for a MALFORMED case.
    """

    id: str
    description: str
    sc1: str
    expected_verdict: str
    validation_clock: datetime = CLOCK
    status_list: str | None = None
    malformed_layer: str | None = None
    bundle: CaseBundle | None = None

    def to_json(self) -> dict[str, object]:
        case: dict[str, object] = {
            "id": self.id,
            "description": self.description,
            "sc1": self.sc1,
            "validation_clock": self.validation_clock.isoformat(),
            "expected_verdict": self.expected_verdict,
            "status_list": self.status_list,
            "malformed_layer": self.malformed_layer,
        }
        if self.bundle is not None:
            case.update(self.bundle.to_json())
        return case


@dataclass(frozen=True, slots=True)
class CaseBundle:
    """What the verifier is handed for one case instead of, or beside, the document's bundle.

    Each field is published only when set (older readers ignore unknown fields): `trust_list`
    and `root_jwk` (the root key found beside it, a candidate only, never trusted by itself)
    replace the document's; `status_lists` replaces the document's lists wholly (`{}`: none);
    `remembered_revisions` is the highest `rev` the verifier accepted before, per list;
    `log` asks for the transparency log (spec step 6): the checkpoint the verifier holds and
    the C2SP tlog-proof given with the credential (None: no proof).
    """

    trust_list: str | None = None
    root_jwk: dict[str, str] | None = None
    status_lists: dict[str, str] | None = None
    remembered_revisions: dict[str, int] | None = None
    log: dict[str, str | None] | None = None

    def to_json(self) -> dict[str, object]:
        fields = {
            "trust_list": self.trust_list,
            "root_jwk": self.root_jwk,
            "status_lists": self.status_lists,
            "remembered_revisions": self.remembered_revisions,
            "log": self.log,
        }
        return {name: value for name, value in fields.items() if value is not None}


def at(text: str) -> datetime:
    """An instant written `YYYY-MM-DDTHH:MM:SS`, in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Kit:
    """Builds and signs the payloads of the cases."""

    def __init__(self, slots: StatusSlots) -> None:
        self.slots = slots

    def payload(
        self, case_id: str, *, issuer: str = "CN-440400", status: int = 0, **fields: Any
    ) -> CredentialPayload:
        """An SO certificate valid 2026-11-20 to 2032-11-20, signed at ISSUED_AT, unless
        `fields` say otherwise (`iat`, or certificate keys; None leaves a key out). Its status
        entry is a fresh slot of the issuer's list, holding `status`."""
        iat = fields.pop("iat", ISSUED_AT)
        certificate = {**DEFAULT_CERTIFICATE, "aut": AUTHORITIES[issuer], **fields}
        list_id = STATUS_LISTS[issuer]
        certificate["st"] = (list_id, self.slots.allocate(list_id, status))
        claims = CertificateClaims(**certificate)
        cti = hashlib.sha256(case_id.encode("utf-8")).digest()[:16]
        exp = exp_for(parse_date(claims.vto))
        return CredentialPayload(iss=issuer, iat=iat, exp=exp, cti=cti, certificate=claims)

    def signed(self, payload: CredentialPayload, key: VectorKey = ZHUHAI, **options: Any) -> str:
        """The SC1 string of `payload` signed by `key` (options: `envelopes.envelope`)."""
        return printed(envelope(payload.to_cbor_map(), key.signer(), **options))

    def case(
        self,
        case_id: str,
        description: str,
        verdict: str,
        key: VectorKey = ZHUHAI,
        bundle: CaseBundle | None = None,
        **fields: Any,
    ) -> VectorCase:
        """A case whose credential is `payload(case_id, **fields)` signed by `key`, as is."""
        payload = self.payload(case_id, **fields)
        list_id = payload.certificate.st[0] if verdict in STATUS_VERDICTS else None
        sc1 = self.signed(payload, key)
        return VectorCase(case_id, description, sc1, verdict, CLOCK, list_id, None, bundle)


def _dates(first: str, last: str, rule_set: str = "MEM19") -> dict[str, Any]:
    """Certificate dates: first issued and valid from `first`, valid to `last` (six years), no
    review date, issued under `rule_set`, the one in force on `first`. An ORDER30 certificate
    re-signed after 2026-06-01 carries no review date: its review was made, and the next one
    falls after MEM Order 19 abolished it."""
    return {"fst": first, "vfr": first, "vto": last, "rvd": None, "rs": rule_set}


# A safety manager certificate (Order 44): A + the ID number, three years, no review.
SM_CERTIFICATE: dict[str, Any] = {
    "typ": "SM",
    "no": "A" + WANG_WU_ID,
    "cat": None,
    "itm": None,
    "rvd": None,
    "itn": "主要负责人（危险化学品生产单位）",
    "vto": "2029-11-20",
    "nam": "王五",
    "sex": 2,
}
# (id, certificate dates, validation clock in Beijing time, verdict, description)
DATE_ROWS = [
    ("valid-first-instant", _dates("2027-03-01", "2033-03-01"), "2027-03-01T00:00:00", "VALID",
     "00:00:00 of vfr"),
    ("valid-last-second", _dates("2021-02-28", "2027-02-28", "ORDER30"), "2027-02-28T23:59:59", "VALID",
     "one second before exp"),
    ("not-yet-valid", _dates("2027-03-02", "2033-03-02"), "2027-03-01T12:00:00", "NOT_YET_VALID",
     "vfr is tomorrow"),
    ("not-yet-valid-last-second", _dates("2027-03-02", "2033-03-02"), "2027-03-01T23:59:59",
     "NOT_YET_VALID", "one second before 00:00 of vfr"),
    ("expired", _dates("2021-02-27", "2027-02-27", "ORDER30"), "2027-03-01T12:00:00", "EXPIRED",
     "vto was the day before yesterday"),
    ("expired-at-exp", _dates("2021-02-28", "2027-02-28", "ORDER30"), "2027-03-01T00:00:00", "EXPIRED",
     "the clock equals exp to the second: at or after exp is expired"),
]  # fmt: skip


def valid_cases(kit: Kit) -> list[VectorCase]:
    """VALID in every shape a verifier must accept."""
    untagged = kit.payload("valid-untagged-cose")
    return [
        kit.case("valid-eddsa", "Ed25519 (alg -8), tagged COSE_Sign1, status entry 0", "VALID"),
        kit.case(
            "valid-es256",
            "ES256 (alg -7), raw 64-byte r||s signature, P-256 key, the issuer's own list",
            "VALID",
            CHONGQING_ES256,
            issuer="CN-500000",
            nam="李四",
            no="T" + LI_SI_ID,
        ),
        VectorCase(
            "valid-untagged-cose",
            "COSE_Sign1 without CBOR tag 18, which verifiers MUST accept",
            kit.signed(untagged, tagged=False),
            "VALID",
            status_list=untagged.certificate.st[0],
        ),
        kit.case("valid-retired-key", "signed by a retired key", "VALID", ZHUHAI_RETIRED),
        kit.case(
            "valid-signed-before-key-revocation",
            "signed by a revoked key one second before its revoked_at",
            "VALID",
            ZHUHAI_REVOKED,
            iat=REVOKED_AT - 1,
        ),
        kit.case(
            "valid-sm-certificate",
            "SM certificate: A + ID number, three years, no cat, itm or rvd",
            "VALID",
            **SM_CERTIFICATE,
        ),
        _unknown_claims_case(kit),
    ]


def _unknown_claims_case(kit: Kit) -> VectorCase:
    claims = kit.payload("valid-unknown-claims-ignored").to_cbor_map()
    claims[5] = ISSUED_AT  # nbf: a CWT claim SC1 does not use
    certificate = claims[-65537]
    if not isinstance(certificate, dict):
        raise TypeError("the certificate claim (-65537) of the base payload is not a map")
    certificate["zzz"] = {"future": ["claim", 1]}
    return VectorCase(
        "valid-unknown-claims-ignored",
        "an unknown CWT claim (5) and an unknown certificate key (zzz) are ignored",
        printed(envelope(claims, ZHUHAI.signer())),
        "VALID",
        status_list=STATUS_LISTS["CN-440400"],
    )


def date_cases(kit: Kit) -> list[VectorCase]:
    """Validity starts at 00:00 Beijing time of vfr and ends at exp, 00:00 after vto."""
    cases = []
    for case_id, dates, clock, verdict, description in DATE_ROWS:
        case = kit.case(case_id, f"{description} (Beijing time)", verdict, **dates)
        cases.append(replace(case, validation_clock=at(clock)))
    return cases


def status_cases(kit: Kit) -> list[VectorCase]:
    """The three non-zero status entries (spec section 5), on both issuers' lists."""
    return [
        kit.case("revoked", "status entry 1: revoked, cancelled or lapsed", "REVOKED", status=1),
        kit.case("superseded", "status entry 2: a newer version exists", "SUPERSEDED", status=2),
        kit.case("suspended", "status entry 3: suspended", "SUSPENDED", status=3),
        kit.case(
            "revoked-es256",
            "status entry 1 on an ES256 issuer's list",
            "REVOKED",
            CHONGQING_ES256,
            issuer="CN-500000",
            status=1,
        ),
    ]


def key_cases(kit: Kit) -> list[VectorCase]:
    """Key and signature failures (spec section 6, steps 2 to 4)."""
    p = kit.payload
    original = p("bad-signature-payload-altered")
    altered = replace(original, certificate=replace(original.certificate, nam="李四"))
    chongqing = p("bad-signature-es256-der", issuer="CN-500000")
    rows = [
        ("unknown-key", "UNKNOWN_KEY", "signed by a key that is not in the trust list",
         kit.signed(p("unknown-key"), UNTRUSTED)),
        ("unknown-key-kid-unprotected", "UNKNOWN_KEY",
         "kid only in the unprotected header, which verifiers MUST NOT use",
         kit.signed(p("unknown-key-kid-unprotected"), kid_unprotected=True)),
        ("bad-signature", "BAD_SIGNATURE", "the last byte of the signature is changed",
         kit.signed(p("bad-signature"), flip_signature=True)),
        ("bad-signature-payload-altered", "BAD_SIGNATURE", "the name was changed after signing",
         kit.signed(original, payload_after_signing=altered.to_cbor_map())),
        ("bad-signature-alg-mismatch", "BAD_SIGNATURE",
         "the header says ES256 (-7), the key is Ed25519: alg must equal the key's",
         kit.signed(p("bad-signature-alg-mismatch"), alg=ALG_ES256)),
        ("bad-signature-es256-der", "BAD_SIGNATURE", "ES256 signature in DER, not raw r||s",
         kit.signed(chongqing, CHONGQING_ES256, der=True)),
        ("bad-signature-issuer-mismatch", "BAD_SIGNATURE",
         "iss CN-500000 signed by a CN-440400 key: iss must equal the key's issuer",
         kit.signed(replace(p("bad-signature-issuer-mismatch"), iss="CN-500000"))),
        ("key-revoked", "KEY_REVOKED", "signed by a revoked key an hour after its revoked_at",
         kit.signed(p("key-revoked", iat=REVOKED_AT + 3600), ZHUHAI_REVOKED)),
        ("key-revoked-at-instant", "KEY_REVOKED", "iat equals revoked_at (iat >= revoked_at)",
         kit.signed(p("key-revoked-at-instant", iat=REVOKED_AT), ZHUHAI_REVOKED)),
    ]  # fmt: skip
    return [VectorCase(case_id, text, sc1, verdict) for case_id, verdict, text, sc1 in rows]
