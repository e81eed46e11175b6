"""Issuance: certificate rows, signed SC1 credentials and their status entries, in bulk.

One call issues a whole batch inside the caller's transaction: status entries are reserved per
issuer, every credential is signed with the issuer's active key, and rows are written with
multi-row inserts. A re-issue on an existing certificate (a new exam after expiry or revocation)
adds a version and marks the previous version superseded unless it was already void.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import Signer, kid_b64
from opcert.credential.sc1 import encode
from opcert.domain import safety_manager
from opcert.domain.catalogue import catalogue
from opcert.domain.certificates import (
    CertificateDates,
    StatusCode,
    certificate_dates,
    certificate_number,
)
from opcert.domain.clock import local_date
from opcert.domain.rules import rule_set_for
from opcert.persistence.models import Authority, Certificate
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.log import LogItem
from opcert.services.issuance.log import append as log_append
from opcert.services.issuance.numbering import issuer_code
from opcert.services.kernel.context import ServiceContext


@dataclass(frozen=True)
class IssueRequest:
    id_number: str
    name: str
    sex: int
    item_code: str
    catalogue_version: str
    authority: Authority
    application_id: str | None
    existing: Certificate | None = None
    typ: str = "SO"
    item_name: str | None = None  # SM: personnel type and industry, as printed

    @property
    def number(self) -> str:
        if self.typ == "SM":
            return safety_manager.certificate_number(self.id_number)
        return certificate_number(self.id_number)

    def printed(self) -> tuple[str | None, str, str]:
        """(category code, item code, item name) as printed on the certificate."""
        if self.typ == "SM":
            return None, self.item_code, self.item_name or self.item_code
        item = catalogue(self.catalogue_version).item(self.item_code)
        return item.category_code, item.code, item.name_zh


def _dates(request: IssueRequest, issued_on: date) -> CertificateDates:
    if request.typ == "SM":
        start, end = safety_manager.validity(issued_on)
        return CertificateDates(start, end, None)
    return certificate_dates(rule_set_for(issued_on), issued_on)


@dataclass(frozen=True)
class Issued:
    number: str
    certificate_id: int
    version_id: int
    sc1: str


def issue_many(uow: UnitOfWork, ctx: ServiceContext, requests: list[IssueRequest]) -> list[Issued]:
    """Issue every request; results are in request order. Raises only on internal faults."""
    if not requests:
        return []
    now = ctx.now()
    issued_on = local_date(now)
    slots = _reserve_slots(uow, ctx, requests, now)
    # Version ids first, so each new certificate row is written pointing at its credential.
    version_ids = uow.certificates.reserve_version_ids(len(requests))
    certificate_ids = _write_certificates(uow, requests, version_ids, issued_on, now)
    versions: list[dict[str, object]] = []
    texts: list[str] = []
    signers: dict[str, Signer] = {}
    for request, certificate_id, slot in zip(requests, certificate_ids, slots, strict=True):
        certificate = _claims(request, issued_on, slot)
        issuer = issuer_code(request.authority.division)
        signer = signers.get(issuer) or signers.setdefault(issuer, ctx.keys.signer_for(uow, issuer))
        cti = os.urandom(16)
        payload = CredentialPayload(
            iss=issuer,
            iat=int(now.timestamp()),
            exp=exp_for(date.fromisoformat(certificate.vto)),
            cti=cti,
            certificate=certificate,
        )
        text = encode(payload, signer)
        texts.append(text)
        versions.append(
            {
                "id": version_ids[len(versions)],
                "certificate_id": certificate_id,
                "version": _next_version(uow, request),
                "cti": cti.hex(),
                "kid": kid_b64(signer.kid),
                "issuer": issuer,
                "iat": payload.iat,
                "sc1": text,
                "list_id": slot[0],
                "list_index": slot[1],
                "status_value": 0,
                "created_at": now,
            }
        )
    _supersede_previous(uow, ctx, requests, now)
    uow.certificates.insert_versions(versions)
    log_append(
        uow,
        [
            LogItem(str(v["cti"]), text, r.application_id)
            for v, text, r in zip(versions, texts, requests, strict=True)
        ],
        now,
    )
    for request, version_id in zip(requests, version_ids, strict=True):
        if request.existing is not None:
            request.existing.current_version_id = version_id
    return [
        Issued(r.number, c, v, t)
        for r, c, v, t in zip(requests, certificate_ids, version_ids, texts, strict=True)
    ]


def _reserve_slots(
    uow: UnitOfWork, ctx: ServiceContext, requests: list[IssueRequest], now: datetime
) -> list[tuple[str, int]]:
    by_issuer: dict[str, list[int]] = defaultdict(list)
    for position, request in enumerate(requests):
        by_issuer[issuer_code(request.authority.division)].append(position)
    slots: list[tuple[str, int]] = [("", 0)] * len(requests)
    for issuer, positions in sorted(by_issuer.items()):
        for position, slot in zip(
            positions, ctx.status_lists.allocate(uow, issuer, len(positions), now), strict=True
        ):
            slots[position] = slot
    return slots


def _write_certificates(
    uow: UnitOfWork,
    requests: list[IssueRequest],
    version_ids: list[int],
    issued_on: date,
    now: datetime,
) -> list[int]:
    rules = rule_set_for(issued_on)
    fresh, ids = [], [0] * len(requests)
    fresh_positions = []
    for position, request in enumerate(requests):
        dates = _dates(request, issued_on)
        values = {
            "name": request.name,
            "sex": request.sex,
            "catalogue_version": request.catalogue_version,
            "rule_set": rules.id.value,
            "authority_code": request.authority.code,
            "valid_from": dates.valid_from,
            "valid_to": dates.valid_to,
            "review_due_on": dates.review_due,
            "reviewed_on": None,
            "state": "active",
            "state_reason": None,
            "state_changed_at": None,
            "application_id": request.application_id,
            "issued_at": now,
        }
        if request.existing is not None:
            for key, value in values.items():
                setattr(request.existing, key, value)
            ids[position] = request.existing.id
            continue
        category, item_code, item_name = request.printed()
        values.update(
            current_version_id=version_ids[position],
            number=request.number,
            typ=request.typ,
            id_number=request.id_number,
            category_code=category,
            item_code=item_code,
            item_name=item_name,
            first_issued_on=issued_on,
        )
        fresh.append(values)
        fresh_positions.append(position)
    for position, new_id in zip(
        fresh_positions, uow.certificates.insert_certificates(fresh), strict=True
    ):
        ids[position] = new_id
    return ids


def _claims(request: IssueRequest, issued_on: date, slot: tuple[str, int]) -> CertificateClaims:
    rules = rule_set_for(issued_on)
    dates = _dates(request, issued_on)
    category, item_code, item_name = request.printed()
    first = request.existing.first_issued_on if request.existing is not None else issued_on
    return CertificateClaims(
        typ=request.typ,
        no=request.number,
        nam=request.name,
        sex=request.sex,
        cat=category,
        itm=item_code if request.typ == "SO" else None,
        itn=item_name,
        fst=first.isoformat(),
        vfr=dates.valid_from.isoformat(),
        vto=dates.valid_to.isoformat(),
        rvd=dates.review_due.isoformat() if dates.review_due else None,
        aut=request.authority.name,
        rs=rules.id.value,
        st=slot,
    )


def _next_version(uow: UnitOfWork, request: IssueRequest) -> int:
    if request.existing is None or request.existing.current_version_id is None:
        return 1
    previous = uow.certificates.version(request.existing.current_version_id)
    return 1 if previous is None else previous.version + 1


def _supersede_previous(
    uow: UnitOfWork, ctx: ServiceContext, requests: list[IssueRequest], now: datetime
) -> None:
    for request in requests:
        if request.existing is None or request.existing.current_version_id is None:
            continue
        previous = uow.certificates.version(request.existing.current_version_id)
        if previous is not None and previous.status_value == StatusCode.IN_FORCE:
            ctx.status_lists.set_status(uow, previous, StatusCode.SUPERSEDED, now)
