"""New credential versions of an existing certificate (review, correction, replacement, renewal,
legacy conversion): one signed SC1 credential from the certificate row as it now stands; the
previous version, if still in force, is superseded (status 2) in the same transaction."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime

from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import kid_b64
from opcert.credential.sc1 import encode
from opcert.domain.certificate_states import CertificateAct, CertificateState, next_state
from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict, NotFound
from opcert.domain.lifecycle import CertificateFacts, owed_review
from opcert.persistence.models import Certificate, CertificateEvent, CredentialVersion
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance import log as transparency_log
from opcert.services.issuance.numbering import issuer_code
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext

# Optional claim (ignored by older verifiers, spec section 3): the date of the last passed review
# (实际复审日期), carried by the credential version a review issues.
REVIEWED_ON_CLAIM = "rvo"


def facts_of(uow: UnitOfWork, row: Certificate) -> CertificateFacts:
    """The facts ``domain.lifecycle`` needs, including whether a review is pending."""
    pending = row.review_due_on is not None and uow.lifecycle.has_pending_review(
        row.id, row.review_due_on
    )
    return CertificateFacts(
        row.state,
        row.rule_set,
        row.valid_from,
        row.valid_to,
        row.review_due_on,
        row.reviewed_on,
        review_pending=pending,
    )


def find(uow: UnitOfWork, number: str, item: str) -> Certificate:
    """The certificate, locked for update. Raises ``NotFound`` (``CERTIFICATE_UNKNOWN``)."""
    row = uow.certificates.get(number.strip().upper(), item.strip(), lock=True)
    if row is None:
        raise NotFound(
            "CERTIFICATE_UNKNOWN",
            f"没有证号为 {number}、项目为 {item} 的证书",
            f"no certificate {number} for item {item}",
        )
    return row


def require_active(row: Certificate) -> None:
    """Raise ``Conflict`` (``CERTIFICATE_NOT_ACTIVE``) for a revoked, cancelled, lapsed or
    suspended certificate."""
    if row.state != CertificateState.ACTIVE:
        raise Conflict(
            "CERTIFICATE_NOT_ACTIVE",
            f"证书状态为 {row.state}，不能办理此事项",
            f"the certificate is {row.state}; this cannot be done",
        )


def new_version(
    uow: UnitOfWork, ctx: ServiceContext, row: Certificate, now: datetime
) -> CredentialVersion:
    """Sign and store the next credential version of ``row`` and make it current; the previous
    one is superseded. Raises ``Conflict`` (``ACT_NOT_ALLOWED``) where the state table does not
    allow a new version (a certificate that is not active)."""
    next_state(row.state, CertificateAct.SUPERSEDE)
    authority = uow.registry.authority(row.authority_code)
    if authority is None:
        raise NotFound("AUTHORITY_UNKNOWN", "发证机关不存在", "unknown issuing authority")
    issuer = issuer_code(authority.division)
    [slot] = ctx.status_lists.allocate(uow, issuer, 1, now)
    previous = uow.certificates.version(row.current_version_id) if row.current_version_id else None
    signer = ctx.keys.signer_for(uow, issuer)
    cti = os.urandom(16)
    payload = CredentialPayload(
        iss=issuer,
        iat=int(now.timestamp()),
        exp=exp_for(row.valid_to),
        cti=cti,
        certificate=_claims(uow, row, authority.name, slot),
    )
    text = encode(payload, signer)
    version = CredentialVersion(
        certificate_id=row.id,
        version=1 if previous is None else previous.version + 1,
        cti=cti.hex(),
        kid=kid_b64(signer.kid),
        issuer=issuer,
        iat=payload.iat,
        sc1=text,
        list_id=slot[0],
        list_index=slot[1],
        status_value=0,
        created_at=now,
    )
    uow.certificates.add(version)
    transparency_log.append(
        uow, [transparency_log.LogItem(version.cti, text, row.application_id)], now
    )
    if previous is not None and previous.status_value == StatusCode.IN_FORCE:
        ctx.status_lists.set_status(uow, previous, StatusCode.SUPERSEDED, now)
    row.current_version_id = version.id
    return version


def _claims(
    uow: UnitOfWork, row: Certificate, authority_name: str, slot: tuple[str, int]
) -> CertificateClaims:
    due = owed_review(facts_of(uow, row))
    extra = {REVIEWED_ON_CLAIM: row.reviewed_on.isoformat()} if row.reviewed_on else {}
    return CertificateClaims(
        typ=row.typ,
        no=row.number,
        nam=row.name,
        sex=row.sex,
        cat=row.category_code if row.typ == "SO" else None,
        itm=row.item_code if row.typ == "SO" else None,
        itn=row.item_name,
        fst=row.first_issued_on.isoformat(),
        vfr=row.valid_from.isoformat(),
        vto=row.valid_to.isoformat(),
        rvd=due.isoformat() if due else None,
        aut=authority_name,
        rs=row.rule_set,
        st=slot,
        extra=extra,
    )


def record(
    uow: UnitOfWork,
    row: Certificate,
    kind: str,
    on: date,
    now: datetime,
    actor: str,
    data: Mapping[str, object],
) -> None:
    """Store a lifecycle event and its hash-chained ledger entry, in the caller's transaction."""
    uow.lifecycle.add(
        CertificateEvent(
            certificate_id=row.id,
            kind=kind,
            on_date=on,
            data=dict(data),
            actor=actor,
            created_at=now,
        )
    )
    subject = f"certificate:{row.number}:{row.item_code}"
    ledger.append(uow, [ledger.LedgerEvent(now, actor, f"certificate.{kind}", subject, dict(data))])
