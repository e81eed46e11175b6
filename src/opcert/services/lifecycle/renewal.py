"""Renewal (换证; ORDER30 延期复审): a new credential with new validity under the rule set in
force on the day of renewal. SO: from 60 days before the end of validity to its last day; SM
(安全合格证, 3 years, no review): at least 30 days before expiry (Order 44 Art. 25)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opcert.domain.certificates import certificate_dates
from opcert.domain.errors import Conflict
from opcert.domain.lifecycle import PublicStatus, public_status
from opcert.domain.periods import add_years
from opcert.domain.reviews import SM_VALIDITY_YEARS, renewal_window
from opcert.domain.rules import rule_set_for
from opcert.persistence.models import Certificate
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.lifecycle.legacy import convert_if_legacy
from opcert.services.lifecycle.versions import facts_of, find, new_version, record, require_active


@dataclass(frozen=True)
class Renewal:
    valid_from: date
    valid_to: date
    review_due_on: date | None
    rule_set: str
    cti: str


def renew(ctx: ServiceContext, number: str, item: str, *, actor: str = "cli:operator") -> Renewal:
    """Renew in the window. Raises ``Conflict`` (``RENEWAL_WINDOW``, ``CERTIFICATE_LAPSED``,
    ``CERTIFICATE_NOT_ACTIVE``). The old version is superseded; a legacy card is converted."""
    with ctx.uow() as uow:
        uow.begin_write()
        renewal = renew_row(uow, ctx, find(uow, number, item), actor)
        uow.commit()
        return renewal


def renew_row(uow: UnitOfWork, ctx: ServiceContext, row: Certificate, actor: str) -> Renewal:
    require_active(row)
    today, now = ctx.today(), ctx.now()
    require_window(uow, row, today)
    old = {"valid_to": row.valid_to.isoformat(), "rule_set": row.rule_set}
    rules = rule_set_for(today)
    if row.typ == "SM":
        row.valid_from, row.valid_to, row.review_due_on = (
            today,
            add_years(today, SM_VALIDITY_YEARS),
            None,
        )
    else:
        dates = certificate_dates(rules, today)
        row.valid_from, row.valid_to = dates.valid_from, dates.valid_to
        row.review_due_on = dates.review_due
    row.rule_set, row.reviewed_on = rules.id.value, None
    convert_if_legacy(uow, row, now)
    version = new_version(uow, ctx, row, now)
    record(uow, row, "renewed", today, now, actor, old)
    return Renewal(row.valid_from, row.valid_to, row.review_due_on, row.rule_set, version.cti)


def require_window(uow: UnitOfWork, row: Certificate, today: date) -> None:
    if public_status(facts_of(uow, row), today) is PublicStatus.LAPSED:
        raise Conflict(
            "CERTIFICATE_LAPSED",
            "证书因未按期复审已失效，须重新考试",
            "the certificate lapsed (review missed); the exam must be taken again",
        )
    window = renewal_window(row.typ, row.valid_to)
    if not window.contains(today):
        raise Conflict(
            "RENEWAL_WINDOW",
            f"换证申请受理期为 {window.opens} 至 {window.closes}",
            f"renewal applications are accepted from {window.opens} to {window.closes}",
        )
