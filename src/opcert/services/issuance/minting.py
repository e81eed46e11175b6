"""One minting path (decision 0013): the SC1 claims of a certificate, and its signed versions.

``claims_for`` is the only place that maps a certificate's facts to the claims of spec section 3;
``sign`` the only place that signs them. ``mint`` gives certificates their next credential version
inside the caller's transaction: a status-list slot per version, reserved per issuer; a signature
with the issuer's active key; the next version number; the previous version superseded if it is
still in force; the credential appended to the transparency log. Issuance (a batch), the new
versions of the lifecycle (review, correction, replacement, renewal, conversion) and, through
``sign`` in its worker processes, the synthetic-data generator all mint this way.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol

from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import Signer, kid_b64
from opcert.credential.sc1 import encode
from opcert.domain.certificates import issuer_code, superseded
from opcert.domain.errors import NotFound
from opcert.domain.lifecycle import CertificateFacts, owed_review
from opcert.persistence.models import Authority, Certificate
from opcert.persistence.repositories.certificates import NewCertificate, NewVersion
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance import log as transparency_log
from opcert.services.kernel.context import ServiceContext

# Optional claim (ignored by older verifiers, spec section 3): the date of the last passed review
# (实际复审日期), carried by the credential versions a review issues.
REVIEWED_ON_CLAIM = "rvo"


class ClaimFacts(NamedTuple):
    """What a credential says of its certificate, as plain values (they pickle cheaply to the
    synthetic-data generator's signing workers)."""

    typ: str
    number: str
    name: str
    sex: int
    category_code: str | None
    item_code: str
    item_name: str
    first_issued_on: date
    valid_from: date
    valid_to: date
    review_due: date | None  # as recorded; the claim carries it only while a review is owed
    reviewed_on: date | None
    authority: str  # the issuing authority's name as printed
    rule_set: str


def claims_for(facts: ClaimFacts, slot: tuple[str, int]) -> CertificateClaims:
    """The certificate map of spec section 3 for ``facts`` and the status entry ``slot``.

    ``cat`` and ``itm`` for SO only; ``rvd`` only for a review still owed (a due date before
    MEM Order 19 took effect; never for SM), as ``domain.lifecycle.owed_review`` says and the
    printed certificate shows; ``rvo`` once a review has been passed.
    """
    so = facts.typ == "SO"
    owed = owed_review(
        CertificateFacts(
            "active",
            facts.rule_set,
            facts.valid_from,
            facts.valid_to,
            facts.review_due if so else None,
            facts.reviewed_on,
        )
    )
    reviewed = facts.reviewed_on
    return CertificateClaims(
        typ=facts.typ,
        no=facts.number,
        nam=facts.name,
        sex=facts.sex,
        cat=facts.category_code if so else None,
        itm=facts.item_code if so else None,
        itn=facts.item_name,
        fst=facts.first_issued_on.isoformat(),
        vfr=facts.valid_from.isoformat(),
        vto=facts.valid_to.isoformat(),
        rvd=owed.isoformat() if owed else None,
        aut=facts.authority,
        rs=facts.rule_set,
        st=slot,
        extra={REVIEWED_ON_CLAIM: reviewed.isoformat()} if reviewed else {},
    )


class Unsigned(NamedTuple):
    """One credential before signing."""

    issuer: str
    iat: int
    cti: bytes
    slot: tuple[str, int]
    facts: ClaimFacts


def sign(signer: Signer, job: Unsigned) -> str:
    """The SC1 text of ``job``; ``exp`` is 00:00 Beijing time after the last day of validity."""
    claims = claims_for(job.facts, job.slot)
    payload = CredentialPayload(job.issuer, job.iat, exp_for(job.facts.valid_to), job.cti, claims)
    return encode(payload, signer)


class Stated(Protocol):
    """What minting reads of a certificate: a stored row or one about to be first issued."""

    @property
    def typ(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def sex(self) -> int: ...
    @property
    def category_code(self) -> str | None: ...
    @property
    def item_code(self) -> str: ...
    @property
    def item_name(self) -> str: ...
    @property
    def first_issued_on(self) -> date: ...
    @property
    def valid_from(self) -> date: ...
    @property
    def valid_to(self) -> date: ...
    @property
    def review_due_on(self) -> date | None: ...
    @property
    def reviewed_on(self) -> date | None: ...
    @property
    def rule_set(self) -> str: ...
    @property
    def authority_code(self) -> str: ...
    @property
    def application_id(self) -> str | None: ...


def facts_of(certificate: Stated, authority_name: str) -> ClaimFacts:
    c = certificate
    return ClaimFacts(
        c.typ, c.number, c.name, c.sex, c.category_code, c.item_code, c.item_name,
        c.first_issued_on, c.valid_from, c.valid_to, c.review_due_on, c.reviewed_on,
        authority_name, c.rule_set,
    )  # fmt: skip


@dataclass(frozen=True)
class Minted:
    certificate_id: int
    version_id: int
    version: int
    cti: str
    sc1: str


def mint(
    uow: UnitOfWork,
    ctx: ServiceContext,
    certificates: Sequence[Certificate | NewCertificate],
    now: datetime,
) -> list[Minted]:
    """The next credential version of each certificate, in order, in the caller's transaction.

    A stored row (``Certificate``) gets a version after the current one, which is superseded if
    still in force; a ``NewCertificate`` is inserted with version 1. Raises ``NotFound``
    (``AUTHORITY_UNKNOWN``) for an authority that does not exist.
    """
    if not certificates:
        return []
    authorities = _authorities(uow, certificates)
    issuers = [issuer_code(authorities[c.authority_code].division) for c in certificates]
    slots = _slots(uow, ctx, issuers, now)
    version_ids = uow.certificates.reserve_version_ids(len(certificates))
    certificate_ids = _certificate_ids(uow, certificates, version_ids)
    signers: dict[str, Signer] = {}
    iat = int(now.timestamp())
    rows: list[NewVersion] = []
    for position, certificate in enumerate(certificates):
        issuer = issuers[position]
        signer = signers.get(issuer) or signers.setdefault(issuer, ctx.keys.signer_for(uow, issuer))
        facts = facts_of(certificate, authorities[certificate.authority_code].name)
        cti, slot = os.urandom(16), slots[position]
        text = sign(signer, Unsigned(issuer, iat, cti, slot, facts))
        rows.append(
            NewVersion(
                id=version_ids[position],
                certificate_id=certificate_ids[position],
                version=1,  # numbered after the current one by _supersede_previous
                cti=cti.hex(),
                kid=kid_b64(signer.kid),
                issuer=issuer,
                iat=iat,
                sc1=text,
                list_id=slot[0],
                list_index=slot[1],
                created_at=now,
            )
        )
    rows = _supersede_previous(uow, ctx, certificates, rows, now)
    uow.certificates.insert_versions(rows)
    transparency_log.append(
        uow,
        [
            transparency_log.LogItem(row.cti, row.sc1, c.application_id)
            for row, c in zip(rows, certificates, strict=True)
        ],
        now,
    )
    return [Minted(r.certificate_id, r.id, r.version, r.cti, r.sc1) for r in rows]


def _authorities(
    uow: UnitOfWork, certificates: Sequence[Certificate | NewCertificate]
) -> dict[str, Authority]:
    found: dict[str, Authority] = {}
    for code in sorted({c.authority_code for c in certificates}):
        authority = uow.registry.authority(code)
        if authority is None:
            raise NotFound("AUTHORITY_UNKNOWN", "发证机关不存在", "unknown issuing authority")
        found[code] = authority
    return found


def _slots(
    uow: UnitOfWork, ctx: ServiceContext, issuers: list[str], now: datetime
) -> list[tuple[str, int]]:
    """A status-list slot per version, reserved per issuer in one call each."""
    by_issuer: dict[str, list[int]] = defaultdict(list)
    for position, issuer in enumerate(issuers):
        by_issuer[issuer].append(position)
    slots: list[tuple[str, int]] = [("", 0)] * len(issuers)
    for issuer, positions in sorted(by_issuer.items()):
        allocated = ctx.status_lists.allocate(uow, issuer, len(positions), now)
        for position, slot in zip(positions, allocated, strict=True):
            slots[position] = slot
    return slots


def _certificate_ids(
    uow: UnitOfWork,
    certificates: Sequence[Certificate | NewCertificate],
    version_ids: list[int],
) -> list[int]:
    """Insert the new certificates, pointing at their first version; return every id, in order."""
    fresh = [(i, c) for i, c in enumerate(certificates) if isinstance(c, NewCertificate)]
    inserted = uow.certificates.insert_certificates(
        [c for _, c in fresh], [version_ids[i] for i, _ in fresh]
    )
    ids = {i: new_id for (i, _), new_id in zip(fresh, inserted, strict=True)}
    return [c.id if isinstance(c, Certificate) else ids[i] for i, c in enumerate(certificates)]


def _supersede_previous(
    uow: UnitOfWork,
    ctx: ServiceContext,
    certificates: Sequence[Certificate | NewCertificate],
    rows: list[NewVersion],
    now: datetime,
) -> list[NewVersion]:
    """Number each version after the current one, supersede that one (the one rule,
    ``domain.certificates.superseded``) and make the new version current."""
    numbered = []
    for certificate, row in zip(certificates, rows, strict=True):
        if isinstance(certificate, Certificate):
            previous = (
                uow.certificates.version(certificate.current_version_id)
                if certificate.current_version_id is not None
                else None
            )
            if previous is not None:
                row = row._replace(version=previous.version + 1)
                status = superseded(previous.status_value)
                if status != previous.status_value:
                    ctx.status_lists.set_status(uow, previous, status, now)
            certificate.current_version_id = row.id
        numbered.append(row)
    return numbered
