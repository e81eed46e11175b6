"""A holder's renewal application (换证; Order 30 延期复审) from 我的证书: what the page offers for
each certificate on a given day, the application filed in its window, and the authority's queue
where an officer renews it.

What is offered (``RenewalOption.why``):
``open``        in the window: apply, the last day is ``closes``;
``pending``     applied on ``applied_on``, waiting for the authority;
``too_early``   the window opens on ``opens``;
``too_late``    the window closed on ``closes`` (the certificate expired): a new exam is needed;
``lapsed``      lapsed for a missed or failed review: a new exam is needed;
``review_due``  (Order 30 only) a review is owed first, in its own window ``opens``-``closes``;
``inactive``    revoked, cancelled, suspended or superseded: nothing to renew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opcert.domain.certificates import own_numbers
from opcert.domain.errors import Conflict, Forbidden, NotFound
from opcert.domain.lifecycle import PublicStatus, owed_review, public_status
from opcert.domain.reviews import renewal_window, review_window
from opcert.persistence.models import Certificate, RenewalApplication
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.lifecycle.renewal import Renewal, renew_row, require_window
from opcert.services.lifecycle.versions import facts_of, find, record, require_active

_INACTIVE = {
    PublicStatus.REVOKED,
    PublicStatus.CANCELLED,
    PublicStatus.SUSPENDED,
    PublicStatus.SUPERSEDED,
}


@dataclass(frozen=True)
class RenewalOption:
    why: str
    opens: date | None = None
    closes: date | None = None
    applied_on: date | None = None

    @property
    def can_apply(self) -> bool:
        return self.why == "open"


@dataclass(frozen=True)
class QueuedRenewal:
    id: int
    number: str
    item: str
    item_name: str
    name: str
    valid_to: date
    applied_on: date
    closes_on: date
    authority_code: str


def _option(uow: UnitOfWork, row: Certificate, today: date) -> RenewalOption:
    facts = facts_of(uow, row)
    status = public_status(facts, today)
    if status in _INACTIVE:
        return RenewalOption("inactive")
    if status is PublicStatus.LAPSED:
        return RenewalOption("lapsed")
    window = renewal_window(row.typ, row.valid_to)
    owed = owed_review(facts)
    if owed is not None and owed < window.opens:
        review = review_window(owed)
        return RenewalOption("review_due", review.opens, review.closes)
    pending = uow.lifecycle.pending_renewal(row.id)
    if pending is not None:
        return RenewalOption("pending", window.opens, window.closes, pending.applied_on)
    if today < window.opens:
        return RenewalOption("too_early", window.opens, window.closes)
    if today > window.closes:
        return RenewalOption("too_late", window.opens, window.closes)
    return RenewalOption("open", window.opens, window.closes)


def options(ctx: ServiceContext, id_number: str) -> dict[tuple[str, str], RenewalOption]:
    """For each certificate of the holder, by (number, item): what 我的证书 offers today."""
    today = ctx.today()
    with ctx.uow() as uow:
        rows = uow.certificates.of_person(id_number)
        return {(row.number, row.item_code): _option(uow, row, today) for row in rows}


def apply(ctx: ServiceContext, id_number: str, number: str, item: str) -> int:
    """File the holder's renewal application with the certificate's issuing authority; returns
    its id. Raises ``Forbidden`` for a certificate not the holder's, ``Conflict``
    (``RENEWAL_WINDOW``, ``CERTIFICATE_LAPSED``, ``CERTIFICATE_NOT_ACTIVE``,
    ``RENEWAL_PENDING``)."""
    if number.strip().upper() not in own_numbers(id_number):
        raise Forbidden("NOT_YOURS", "只能为本人的证书申请换证", "only for your own certificate")
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        require_active(row)
        today, now = ctx.today(), ctx.now()
        require_window(uow, row, today)
        if uow.lifecycle.pending_renewal(row.id) is not None:
            raise Conflict(
                "RENEWAL_PENDING", "已提交换证申请，请等待发证机关办理", "already applied"
            )
        application = RenewalApplication(
            certificate_id=row.id,
            authority_code=row.authority_code,
            applied_on=today,
            closes_on=renewal_window(row.typ, row.valid_to).closes,
            status="pending",
            created_at=now,
        )
        uow.lifecycle.add(application)
        uow.flush()
        record(uow, row, "renewal_applied", today, now, f"holder:{id_number}", {})
        uow.commit()
        return application.id


def queue(ctx: ServiceContext, officer: OfficerPrincipal) -> list[QueuedRenewal]:
    """Pending renewal applications filed with an authority in the officer's division."""
    officer.require(Action.READ_APPLICATIONS)
    with ctx.uow() as uow:
        return [
            QueuedRenewal(
                app.id,
                cert.number,
                cert.item_code,
                cert.item_name,
                cert.name,
                cert.valid_to,
                app.applied_on,
                app.closes_on,
                app.authority_code,
            )
            for app, cert in uow.lifecycle.pending_renewals(officer.authority_prefix)
        ]


def renew_application(
    ctx: ServiceContext, officer: OfficerPrincipal, application_id: int
) -> Renewal:
    """The officer renews the certificate of a pending application (a new credential version
    under the rule set in force today). ``NotFound`` outside the officer's scope and for an
    unknown or already decided application; the renewal's own ``Conflict`` when it no longer
    may be renewed."""
    officer.require(Action.DECIDE_APPLICATIONS)
    unknown = NotFound("RENEWAL_UNKNOWN", "没有这个换证申请", "no such renewal application")
    with ctx.uow() as uow:
        uow.begin_write()
        application = uow.lifecycle.renewal(application_id)
        if application is None or application.status != "pending":
            raise unknown
        officer.require_scope(application.authority_code, unknown)
        row = uow.certificates.by_id(application.certificate_id)
        if row is None:
            raise unknown
        renewal = renew_row(uow, ctx, row, f"officer:{officer.username}")
        application.status = "renewed"
        application.decided_by, application.decided_at = officer.username, ctx.now()
        uow.commit()
        return renewal
