"""A verified credential compared, field by field, with the platform's record of it today.

"与平台记录一致" is said only when every claim the credential carries (number, name, sex, item,
dates, authority, rule set, status entry, issuer) equals what the platform would sign for the
certificate now, the version is the current one and the certificate is valid today. Otherwise
the answer names the fields that differ and the state the platform records, from the one table
of states (``PublicStatus.look``). Minting and this comparison build the claims with the same
function (``minting.claims_for``), so they cannot drift apart.

Content whose signature did not verify is never compared: a forger can copy a real credential's
``cti`` and number, and a comparison would lend the forged name the platform's word.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from opcert.credential.claims import CredentialPayload, exp_for
from opcert.credential.verifier import Verdict
from opcert.domain.certificates import issuer_code
from opcert.domain.lifecycle import PublicStatus, public_status
from opcert.persistence.repositories.certificates import CredentialRecord
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.minting import claims_for, facts_of
from opcert.services.verification.query import row_facts

# Verdicts after which the signature is good and the key was not withdrawn: only then is the
# content the issuer's word, worth comparing (spec section 6: earlier verdicts are unverified).
TRUSTED_CONTENT = frozenset(
    {
        Verdict.VALID,
        Verdict.EXPIRED,
        Verdict.NOT_YET_VALID,
        Verdict.STATUS_UNKNOWN,
        Verdict.REVOKED,
        Verdict.SUPERSEDED,
        Verdict.SUSPENDED,
    }
)

# What each compared claim is called on the page: labels, not a claims builder (the one builder is
# minting.claims_for, which tests/unit/services/test_minting.py keeps unique), hence rows.
FIELDS: dict[str, tuple[str, str]] = {
    key: (zh, en)
    for key, zh, en in (
        ("typ", "证书类型", "certificate type"),
        ("no", "证号", "certificate number"),
        ("nam", "姓名", "name"),
        ("sex", "性别", "sex"),
        ("cat", "作业类别", "category"),
        ("itm", "操作项目", "operation item"),
        ("itn", "项目名称", "item name"),
        ("fst", "初次领证日期", "first issued on"),
        ("vfr", "有效期起", "valid from"),
        ("vto", "有效期至", "valid to"),
        ("exp", "有效期至", "valid to"),
        ("rvd", "应复审日期", "review due on"),
        ("rvo", "实际复审日期", "reviewed on"),
        ("aut", "发证机关", "issuing authority"),
        ("iss", "发证机关代码", "issuer code"),
        ("rs", "适用规章", "rule set"),
        ("st", "状态列表位置", "status entry"),
        ("v", "格式版本", "schema version"),
    )
}


def compare(uow: UnitOfWork, payload: CredentialPayload, today: date) -> dict[str, Any]:
    """The ``record`` part of the online verdict for a credential whose signature verified."""
    record = uow.certificates.record_of(payload.cti.hex())
    if record is None:
        return {
            "compared": True,
            "found": False,
            "matches": False,
            "differences": [],
            "message": "平台上没有这份电子证照的记录，不是本平台签发的证书",
            "message_en": "the platform has no record of this credential",
        }
    current = record.certificate.current_version_id == record.version.id
    status = _status(record, current, today)
    differences = [
        {
            "field": key,
            "label": FIELDS.get(key, (key, key))[0],
            "label_en": FIELDS.get(key, (key, key))[1],
        }
        for key in _differing(payload, record)
    ]
    matches = not differences and status is PublicStatus.VALID
    look = status.look
    return {
        "compared": True,
        "found": True,
        "current_version": current,
        "version": record.version.version,
        "status": status.value,
        "status_label": look.label_zh,
        "status_label_en": look.label_en,
        "matches": matches,
        "differences": differences,
        **_message(matches, differences),
    }


def not_compared() -> dict[str, Any]:
    """The ``record`` part when the content is not the issuer's word (forged, unknown key ...)."""
    return {
        "compared": False,
        "found": False,
        "matches": False,
        "differences": [],
        "message": "签名未通过核验，内容未与平台记录比对，不能作为证明",
        "message_en": "the signature did not verify: the content was not compared with the record",
    }


def _status(record: CredentialRecord, current: bool, today: date) -> PublicStatus:
    """The state the platform records for this version today: a version that is no longer its
    certificate's current one is superseded, whatever the certificate's state."""
    if not current:
        return PublicStatus.SUPERSEDED
    return public_status(row_facts(record.certificate, review_pending=record.review_pending), today)


def _differing(payload: CredentialPayload, record: CredentialRecord) -> list[str]:
    """The claims in which the credential and what the platform would sign today differ, in the
    credential's key order (claims only one side has count too)."""
    authority = record.authority
    row, version = record.certificate, record.version
    expected = claims_for(
        facts_of(row, authority.name if authority else row.authority_code),
        (version.list_id, version.list_index),
    ).to_cbor_map()
    expected["iss"] = issuer_code(authority.division) if authority else version.issuer
    expected["exp"] = exp_for(row.valid_to)
    presented = payload.certificate.to_cbor_map()
    presented["iss"], presented["exp"] = payload.iss, payload.exp
    keys = list(presented) + [key for key in expected if key not in presented]
    return [key for key in keys if presented.get(key) != expected.get(key)]


def _message(matches: bool, differences: list[dict[str, str]]) -> dict[str, str]:
    """The comparison in words; the recorded state is beside it (``status_label``)."""
    if matches:
        return {"message": "与平台记录一致", "message_en": "matches the platform's record"}
    if differences:
        names_zh = "、".join(dict.fromkeys(d["label"] for d in differences))
        names_en = ", ".join(dict.fromkeys(d["label_en"] for d in differences))
        return {
            "message": f"与平台记录不一致：{names_zh}不同",
            "message_en": f"differs from the platform's record in: {names_en}",
        }
    return {
        "message": "内容与平台记录相同，但证书目前不是有效状态",
        "message_en": "the content matches the record, but the record's state is not valid",
    }
