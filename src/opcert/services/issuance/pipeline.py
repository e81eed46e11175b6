"""Issuance: certificates for a batch of passed exams, each with its first (or next) signed
SC1 credential.

One call issues a whole batch inside the caller's transaction. A new certificate is inserted
with the others in one multi-row insert; a re-issue on an existing certificate (a new exam after
expiry or revocation) sets the certificate's terms again. ``minting.mint`` then signs every
credential, numbers the versions and supersedes the previous one where it is still in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from opcert.domain import safety_manager
from opcert.domain.catalogue import catalogue
from opcert.domain.certificates import (
    CertificateDates,
    certificate_dates,
    certificate_number,
)
from opcert.domain.clock import local_date
from opcert.domain.rules import RuleSet, rule_set_for
from opcert.persistence.models import Authority, Certificate
from opcert.persistence.repositories.certificates import NewCertificate
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.minting import mint
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
        return certificate_number(self.id_number, self.typ)

    def printed(self) -> tuple[str | None, str, str]:
        """(category code, item code, item name) as printed on the certificate."""
        if self.typ == "SM":
            return None, self.item_code, self.item_name or self.item_code
        item = catalogue(self.catalogue_version).item(self.item_code)
        return item.category_code, item.code, item.name_zh


def _dates(request: IssueRequest, rules: RuleSet, issued_on: date) -> CertificateDates:
    if request.typ == "SM":
        start, end = safety_manager.validity(issued_on)
        return CertificateDates(start, end, None)
    return certificate_dates(rules, issued_on)


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
    rules = rule_set_for(issued_on)
    certificates: list[Certificate | NewCertificate] = []
    for request in requests:
        terms = _terms(request, issued_on, rules, now)
        if request.existing is None:
            certificates.append(terms)
        else:
            uow.certificates.reissue(request.existing, terms)
            certificates.append(request.existing)
    minted = mint(uow, ctx, certificates, now)
    return [
        Issued(r.number, m.certificate_id, m.version_id, m.sc1)
        for r, m in zip(requests, minted, strict=True)
    ]


def _terms(request: IssueRequest, issued_on: date, rules: RuleSet, now: datetime) -> NewCertificate:
    """The certificate as this request issues it (first issue on ``issued_on``)."""
    dates = _dates(request, rules, issued_on)
    category, item_code, item_name = request.printed()
    return NewCertificate(
        number=request.number,
        typ=request.typ,
        id_number=request.id_number,
        name=request.name,
        sex=request.sex,
        category_code=category,
        item_code=item_code,
        item_name=item_name,
        catalogue_version=request.catalogue_version,
        rule_set=rules.id.value,
        authority_code=request.authority.code,
        first_issued_on=issued_on,
        valid_from=dates.valid_from,
        valid_to=dates.valid_to,
        review_due_on=dates.review_due,
        application_id=request.application_id,
        issued_at=now,
    )
