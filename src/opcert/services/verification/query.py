"""Certificates as people see them: the public query and export. Revocation is a lifecycle act
(:mod:`opcert.services.lifecycle.acts`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from opcert.credential.qr import qr_png
from opcert.domain.catalogue import catalogue
from opcert.domain.errors import FieldError, NotFound, ValidationFailed
from opcert.domain.identity import parse_resident_id
from opcert.domain.lifecycle import (
    REVIEW_NOT_NEEDED,
    CertificateFacts,
    owed_review,
    public_status,
)
from opcert.domain.names import PersonName
from opcert.persistence.models import Certificate, CredentialVersion
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.abuse import PUBLIC_QUERY
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import OfficerPrincipal

NOT_FOUND_ZH = (
    "未在全国平台查询到该证书。未在本平台登记的证书不是真实有效的证书，请勿相信其他网站的查询结果。"
)
NOT_FOUND_EN = (
    "No certificate was found on the national platform. A certificate that is not on this "
    "platform is not genuine; do not trust results from other websites."
)


def row_facts(row: Certificate, *, review_pending: bool = False) -> CertificateFacts:
    """What ``domain.lifecycle`` needs of a stored certificate to say its status on a day."""
    return CertificateFacts(
        row.state,
        row.rule_set,
        row.valid_from,
        row.valid_to,
        row.review_due_on,
        row.reviewed_on,
        review_pending=review_pending,
    )


def certificate_json(
    row: Certificate, today: date, *, review_pending: bool = False, legacy: bool = False
) -> dict[str, Any]:
    """The public view of a certificate on ``today``. ``review_required`` is false where MEM
    Order 19 made the review unnecessary (due on or after 2026-06-01) or none was ever due."""
    facts = row_facts(row, review_pending=review_pending)
    status = public_status(facts, today)
    owed = owed_review(facts)
    look = status.look  # the one table of labels (domain.certificate_states.LOOKS)
    book = catalogue(row.catalogue_version)
    category = book.category(row.category_code) if row.category_code else None
    return {
        "number": row.number,
        "type": row.typ,
        "name": row.name,
        "sex": "男" if row.sex == 1 else "女",
        "category": row.category_code,
        "category_name": category.name_zh if category else None,
        "item": row.item_code,
        "item_name": row.item_name,
        "status": status.value,
        "status_label": look.label_zh,
        "status_label_en": look.label_en,
        "first_issued_on": row.first_issued_on.isoformat(),
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat(),
        "review_due_on": row.review_due_on.isoformat() if row.review_due_on else None,
        "reviewed_on": row.reviewed_on.isoformat() if row.reviewed_on else None,
        "review_required": owed is not None,
        "review_note": None
        if owed is not None or row.review_due_on is None
        else REVIEW_NOT_NEEDED[0],
        "authority": row.authority_code,
        "rule_set": row.rule_set,
        "form": "legacy_card" if legacy else "electronic",
    }


def public_query(
    ctx: ServiceContext,
    id_number: str | None,
    name: str | None,
    *,
    asker: str | None,
    human: Callable[[], bool] | None = None,
) -> list[dict[str, Any]]:
    """Both fields are required; raises NotFound (with the not-genuine warning) when nothing matches.

    ``asker`` is who is asking, for the public query's rate limit (``PUBLIC_QUERY``, one count
    per address shared by every entry point and process): the client address on the pages and
    the API. Each query is counted before anything else, valid or not; TooManyRequests past the
    limit. ``None`` only for the platform's own checks (tests, the synthetic-data smoke run),
    which are not counted; the command line is counted as ``"cli"``. ``human`` is the check a
    person passes first where there is one (the page's captcha): a FieldError on ``captcha``
    when it fails, after the query was counted.
    """
    if asker is not None:
        ctx.abuse.hit(PUBLIC_QUERY, asker)
    if human is not None and not human():
        raise FieldError(
            "captcha", "CAPTCHA_WRONG", "验证码错误或已过期", "wrong or expired answer"
        )
    errors = []
    if not id_number or not id_number.strip():
        errors.append(
            FieldError("id_number", "REQUIRED", "请填写证件号码", "the ID number is required")
        )
    if not name or not name.strip():
        errors.append(FieldError("name", "REQUIRED", "请填写姓名", "the name is required"))
    if errors or id_number is None:
        raise ValidationFailed(errors)
    number = parse_resident_id(id_number, today=ctx.today(), certificate_number=True).number
    # The one name rule: 阿依古丽•买买提, 阿依古丽.买买提, 阿依古丽买买提 find 阿依古丽·买买提.
    found = certificates_view(ctx, number, PersonName.parse(name, "name").text)
    if not found:
        raise NotFound("CERTIFICATE_NOT_FOUND", NOT_FOUND_ZH, NOT_FOUND_EN)
    return found


def certificates_view(
    ctx: ServiceContext, id_number: str, name: str | None
) -> list[dict[str, Any]]:
    """The public view of each certificate of this person (and name, when given), with the
    authority's name: one rule for the public query and the holder's own page."""
    today = ctx.today()
    found = []
    with ctx.reader() as uow:
        for row, pending, legacy, authority_name in uow.certificates.public_view(id_number, name):
            item = certificate_json(row, today, review_pending=pending, legacy=legacy)
            item["authority_name"] = authority_name or row.authority_code
            found.append(item)
    return found


def find_certificate(
    uow: UnitOfWork,
    number: str,
    item: str,
    *,
    lock: bool = False,
    officer: OfficerPrincipal | None = None,
) -> Certificate:
    """The certificate with this number and item; raises ``NotFound``, also when ``officer`` is
    given and the issuing authority lies outside their scope (the same error: the number is an
    ID number, so telling "elsewhere" from "nowhere" would reveal that the person holds one)."""
    row = uow.certificates.get(number.strip().upper(), item.strip(), lock=lock)
    unknown = NotFound(
        "CERTIFICATE_UNKNOWN",
        f"没有证号为 {number}、项目为 {item} 的证书",
        f"no certificate {number} for item {item}",
    )
    if row is None:
        raise unknown
    if officer is not None:
        officer.require_scope(row.authority_code, unknown)
    return row


def current_version(uow: UnitOfWork, row: Certificate) -> CredentialVersion:
    """The certificate's current signed credential; raises ``NotFound`` if it has none."""
    version = uow.certificates.version(row.current_version_id) if row.current_version_id else None
    if version is None:
        raise NotFound(
            "NO_CREDENTIAL", "该证书还没有电子证照", "the certificate has no credential yet"
        )
    return version


def current_credential(ctx: ServiceContext, number: str, item: str) -> str:
    with ctx.uow() as uow:
        return current_version(uow, find_certificate(uow, number, item)).sc1


def export_png(ctx: ServiceContext, number: str, item: str) -> bytes:
    return qr_png(current_credential(ctx, number, item), ec="Q")
