"""New credential versions of an existing certificate (review, correction, replacement, renewal,
legacy conversion): one signed SC1 credential from the certificate row as it now stands, minted
like every credential (``services.issuance.minting``); the previous version, if still in force,
is superseded (status 2) in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from opcert.domain.certificate_states import CertificateAct, CertificateState, next_state
from opcert.domain.errors import Conflict, NotFound
from opcert.domain.lifecycle import CertificateFacts
from opcert.persistence.models import Certificate, CertificateEvent
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.minting import Minted, mint
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing import events as sharing


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


def new_version(uow: UnitOfWork, ctx: ServiceContext, row: Certificate, now: datetime) -> Minted:
    """Sign and store the next credential version of ``row`` as it now stands and make it
    current; the previous version, if still in force, is superseded (``minting.mint``). Raises
    ``Conflict`` (``ACT_NOT_ALLOWED``) where the state table does not allow a new version (a
    certificate that is not active)."""
    next_state(row.state, CertificateAct.SUPERSEDE)
    [minted] = mint(uow, ctx, [row], now)
    return minted


def record(
    uow: UnitOfWork,
    row: Certificate,
    kind: str,
    on: date,
    now: datetime,
    actor: str,
    data: Mapping[str, object],
) -> None:
    """Store a lifecycle event, its hash-chained ledger entry and, when the kind is one a
    subscriber may receive, its data-sharing event, in the caller's transaction."""
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
    sharing.lifecycle_event(uow, row, kind, on, now, data)
