"""Manual identity review (人工审核): when the live face check fails, the holder sends a photo
holding the ID card to an issuing authority, whose officers decide."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from opcert.domain.clock import local_minutes
from opcert.domain.errors import (
    FieldError,
    Forbidden,
    NotFound,
    Unavailable,
    ValidationFailed,
)
from opcert.domain.identity_reviews import IDENTITY_REVIEW_STATUSES, IdentityReviewStatus
from opcert.persistence.models import IdentityReview
from opcert.persistence.repositories.identity_reviews import NewIdentityReview
from opcert.services.holders.identity import send_message
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.uploads.limits import REVIEW_PHOTO_LIMITS, too_large
from opcert.services.uploads.worker import run_isolated

log = logging.getLogger(__name__)
MAX_PHOTO = REVIEW_PHOTO_LIMITS.max_bytes


@dataclass(frozen=True)
class ReviewView:
    id: int
    id_number: str
    name: str
    authority_code: str
    status: str
    created_at: str
    decision_reason: str | None


@dataclass(frozen=True)
class Reviewer:
    """The authority that will review a holder's request, and why it is that one: ``basis`` is
    ``certificate`` (the issuer of the holder's newest certificate), ``id_region`` (the ID
    number's city or county) or ``province`` (no authority there: the province's)."""

    code: str
    name: str
    basis: str


def no_reviewer() -> FieldError:
    return FieldError(
        "authority",
        "NO_REVIEWER",
        "您的证书和身份证所属地区都没有在平台登记的发证机关，无法在线申请人工审核。"
        "请携带身份证到任一发证机关窗口办理。",
        "no issuing authority on the platform covers your certificate or your ID's region; "
        "take your ID card to any issuing authority's counter",
    )


def reviewer_for(ctx: ServiceContext, id_number: str, name: str) -> Reviewer | None:
    """Who reviews this person's request: never the holder's choice. The issuer of their newest
    certificate; with none, the authority of the ID number's region (county, then city, then
    province). None when no authority on the platform covers any of them."""
    with ctx.uow() as uow:
        own = sorted(
            uow.certificates.of_person(id_number, name),
            key=lambda row: (row.valid_from, row.issued_at),
        )
        if own:
            authority = uow.registry.authority(own[-1].authority_code)
            if authority is not None:
                return Reviewer(authority.code, authority.name, "certificate")
        region = id_number[:6]
        wanted = [region, region[:4] + "00", region[:2] + "0000"]
        found = {
            division: (row.code, row.name)
            for division, row in uow.registry.authority_by_division(wanted).items()
        }
    for division in wanted:
        if division in found:
            basis = "province" if division.endswith("0000") else "id_region"
            return Reviewer(*found[division], basis)
    return None


def request_review(
    ctx: ServiceContext, id_number: str, name: str, photo: bytes, photo_type: str
) -> int:
    """File the request in the queue of ``reviewer_for`` the person (a holder cannot choose);
    raises ValidationFailed naming the bad fields
    (``UploadTooLarge`` when the photo is over the byte limit). The photo is decoded in a child
    process under ``REVIEW_PHOTO_LIMITS`` and stored with the type read from its content: the
    ``photo_type`` the browser claimed is not trusted."""
    errors: list[FieldError] = []
    if not photo:
        errors.append(FieldError("photo", "REQUIRED", "请上传手持身份证照片", "upload a photo"))
    elif len(photo) > MAX_PHOTO:
        raise too_large("photo", MAX_PHOTO)
    else:
        try:
            photo_type = run_isolated("photo", "", photo, field="photo", limits=REVIEW_PHOTO_LIMITS)
        except FieldError as error:
            errors.append(error)
    reviewer = reviewer_for(ctx, id_number, name)
    if reviewer is None:
        errors.append(no_reviewer())
    if errors or reviewer is None:
        raise ValidationFailed(errors)
    with ctx.uow() as uow:
        review_id = uow.identity_reviews.file(
            NewIdentityReview(
                id_number=id_number,
                name=name,
                authority_code=reviewer.code,
                photo=photo,
                photo_type=photo_type,
                filed_at=ctx.now(),
            )
        )
        uow.commit()
        return review_id


def review_queue(ctx: ServiceContext, officer: OfficerPrincipal) -> list[ReviewView]:
    """Pending reviews filed with an authority in the officer's division; raises ``Forbidden``
    for a role that may not read them."""
    officer.require(Action.READ_IDENTITY_REVIEWS)
    with ctx.uow() as uow:
        rows = uow.identity_reviews.in_scope(officer.authority_prefix)
        return [_view(row) for row in rows]


def review_photo(
    ctx: ServiceContext, officer: OfficerPrincipal, review_id: int
) -> tuple[bytes, str]:
    """Raises ``Forbidden`` for a role that may not read reviews, ``NotFound`` for an unknown
    review and for one outside the officer's scope."""
    officer.require(Action.READ_IDENTITY_REVIEWS)
    with ctx.uow() as uow:
        row = _review(uow.identity_reviews.get(review_id), officer)
        return row.photo, row.photo_type


def decide_review(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    review_id: int,
    approve: bool,
    reason: str,
) -> ReviewView:
    """Approve or reject; a rejection needs a reason. The holder is told by text message through
    the SMS gateway (``ctx.sms``), after the decision is committed. Raises ``Forbidden`` for a
    role that may not decide, ``NotFound`` outside the officer's scope, ``Conflict``
    (``STATUS_MOVE_NOT_ALLOWED``) for a review already decided."""
    officer.require(Action.DECIDE_IDENTITY_REVIEWS)
    if not approve and not (reason or "").strip():
        raise FieldError(
            "reason", "REASON_REQUIRED", "驳回必须说明理由", "a rejection needs a reason"
        )
    with ctx.uow() as uow:
        row = _review(uow.identity_reviews.get(review_id), officer)
        target = IdentityReviewStatus.APPROVED if approve else IdentityReviewStatus.REJECTED
        row.status = IDENTITY_REVIEW_STATUSES.move(row.status, target).value
        row.decision_reason = (reason or "").strip()[:500] or None
        row.decided_by, row.decided_at = officer.username, ctx.now()
        # The holder's contact for notices: registered contact, verified phone, exam-time phone.
        _, phone = uow.reminders.holder_contact(row.id_number)
        authority = uow.registry.authority(row.authority_code)
        uow.commit()
        view = _view(row)
    if phone:
        _tell(ctx, phone, _answer(view, authority.name if authority else ""))
    return view


def _tell(ctx: ServiceContext, phone: str, text: str) -> None:
    """The decision stands whether or not the message goes out (no gateway, gateway down): the
    holder also sees it at the next login."""
    try:
        send_message(ctx, phone, text)
    except (Forbidden, Unavailable) as error:
        log.warning("identity review answer not sent: %s", error.code)


def _answer(view: ReviewView, authority: str) -> str:
    if view.status == IdentityReviewStatus.APPROVED:
        return (
            f"【特种作业操作证】{authority}已通过您的人工身份审核，请登录平台查看和下载电子证书。"
        )
    return (
        f"【特种作业操作证】{authority}未通过您的人工身份审核，原因：{view.decision_reason}。"
        "请按要求重新提交。"
    )


def _review(row: IdentityReview | None, officer: OfficerPrincipal) -> IdentityReview:
    # review ids are sequential: out of scope answers exactly as unknown, or ids would enumerate
    unknown = NotFound("REVIEW_UNKNOWN", "没有这个审核申请", "no such review request")
    if row is None:
        raise unknown
    officer.require_scope(row.authority_code, unknown)
    return row


def _view(row: IdentityReview) -> ReviewView:
    return ReviewView(
        row.id,
        row.id_number,
        row.name,
        row.authority_code,
        row.status,
        local_minutes(row.created_at),
        row.decision_reason,
    )
