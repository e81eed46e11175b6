"""Printable certificates: the PDF of a certificate's current credential."""

from __future__ import annotations

from datetime import date

from opcert.credential.qr import qr_png
from opcert.documents.certificate_pdf import CertificateView, render
from opcert.domain.catalogue import catalogue
from opcert.domain.lifecycle import REVIEW_NOT_NEEDED, owed_review, public_status
from opcert.services.kernel.context import ServiceContext
from opcert.services.lifecycle.versions import facts_of
from opcert.services.verification.query import current_version, find_certificate


def export_pdf(ctx: ServiceContext, number: str, item: str, layout: str = "a4") -> bytes:
    """The PDF certificate; its QR code holds the exact SC1 string of the current credential.

    A certificate that is not valid today (revoked, expired, lapsed …) carries its state as a
    diagonal watermark."""
    with ctx.uow() as uow:
        row = find_certificate(uow, number, item)
        version = current_version(uow, row)
        authority = uow.registry.authority(row.authority_code)
        book = catalogue(row.catalogue_version)
        category = book.category(row.category_code).name_zh if row.category_code else ""
        facts = facts_of(uow, row)
        owed = owed_review(facts)
        view = CertificateView(
            typ=row.typ,
            number=row.number,
            name=row.name,
            sex="男" if row.sex == 1 else "女",
            category=category,
            item=row.item_name,
            first_issued_on=row.first_issued_on.isoformat(),
            valid_from=row.valid_from.isoformat(),
            valid_to=row.valid_to.isoformat(),
            review_due_on=_review_text(row.typ, owed),
            reviewed_on=row.reviewed_on.isoformat() if row.reviewed_on else "",
            authority=authority.name if authority else row.authority_code,
            qr_png=qr_png(version.sc1, ec="Q"),
            status=public_status(facts, ctx.today()),
        )
    return render(view, layout)


def _review_text(typ: str, owed: date | None) -> str:
    """应复审日期 as printed: the date still owed, or why none is (MEM Order 19; SM has none)."""
    if typ == "SM":
        return "不适用"
    return owed.isoformat() if owed is not None else REVIEW_NOT_NEEDED[0]
