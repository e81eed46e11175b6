"""Revocation as an officer does it on the pages: a preview of the certificate and of what the
act will do (the status changes at once on the platform and in every QR verdict; for false
information or deception a ban on new certificates, Order 30 Art. 30), then a confirmation
bound to exactly that certificate, ground and reason (decision record 0020)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opcert.domain.certificate_states import CertificateAct, next_state
from opcert.domain.errors import FieldError
from opcert.domain.periods import add_years
from opcert.domain.rules import rule_set
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.lifecycle import acts
from opcert.services.lifecycle.grounds import BANNING_GROUNDS, REVOCATION_GROUNDS
from opcert.services.review import confirmations
from opcert.services.verification.query import certificate_json, find_certificate

REVOKE_ACT = "certificate.revoke"
MAX_REASON = 500


@dataclass(frozen=True)
class RevocationPreview:
    """What the confirmation page shows, and the key that confirms it."""

    certificate: dict[str, Any]
    authority_name: str
    ground: str
    ground_label: tuple[str, str]
    reason: str
    ban_years: int | None
    banned_until: date | None
    key: str


def checked(ground: str, reason: str) -> tuple[str, str]:
    """The ground and the stripped reason; ``FieldError`` on ``ground`` when none of the legal
    grounds was chosen, on ``reason`` when it is empty or too long."""
    ground = (ground or "").strip()
    if ground not in REVOCATION_GROUNDS:
        raise FieldError(
            "ground",
            "GROUND_REQUIRED",
            "请从列表中选择撤销情形（《特种作业人员安全技术培训考核管理规定》第三十条）",
            "choose the ground of revocation from the list (Order 30 Art. 30)",
        )
    reason = (reason or "").strip()
    if not reason:
        raise FieldError(
            "reason", "REASON_REQUIRED", "撤销必须说明理由", "a revocation needs a reason"
        )
    if len(reason) > MAX_REASON:
        raise FieldError(
            "reason", "TOO_LONG", f"理由不能超过 {MAX_REASON} 字", f"reason over {MAX_REASON} chars"
        )
    return ground, reason


def _answers(number: str, item: str, ground: str, reason: str) -> dict[str, str]:
    return {"number": number, "item": item, "ground": ground, "reason": reason}


def preview(
    ctx: ServiceContext, officer: OfficerPrincipal, number: str, item: str, ground: str, reason: str
) -> RevocationPreview:
    """The certificate and the consequences of revoking it; writes nothing but the confirmation.
    Raises ``Forbidden`` for a role that may not revoke, ``FieldError`` (see :func:`checked`),
    ``NotFound`` for a certificate unknown or outside the officer's scope, ``Conflict`` for one
    that can no longer be revoked (already revoked or cancelled)."""
    officer.require(Action.REVOKE_CERTIFICATES)
    ground, reason = checked(ground, reason)
    with ctx.uow() as uow:
        row = find_certificate(uow, number, item, officer=officer)
        next_state(row.state, CertificateAct.REVOKE)
        authority = uow.registry.authority(row.authority_code)
        years = rule_set(row.rule_set).revocation_ban_years if ground in BANNING_GROUNDS else None
        until = add_years(ctx.today(), years) if years else None
        answers = _answers(row.number, row.item_code, ground, reason)
        key = confirmations.issue(ctx, officer, REVOKE_ACT, answers)
        return RevocationPreview(
            certificate_json(row, ctx.today()),
            authority.name if authority else row.authority_code,
            ground,
            REVOCATION_GROUNDS[ground],
            reason,
            years,
            until,
            key,
        )


def confirm(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    number: str,
    item: str,
    ground: str,
    reason: str,
    key: str | None,
) -> acts.Revocation:
    """Revoke with the key of the preview the officer saw; ``FieldError`` on ``confirmation``
    when the key is missing, someone else's, expired or for other answers: nothing is written."""
    officer.require(Action.REVOKE_CERTIFICATES)
    ground, reason = checked(ground, reason)
    shown = _answers(number.strip().upper(), item.strip(), ground, reason)
    confirmations.require(ctx, officer, REVOKE_ACT, shown, key)
    return acts.revoke(ctx, number, item, reason, ground=ground, officer=officer)
