"""Online verification: the same verifier as offline, fed with the live trust and status lists,
plus a field-by-field comparison with the platform's record of the credential
(:mod:`opcert.services.verification.record`), made only when the signature verified.

The trust list is the platform's own, signed by its own root key: online there is no bundle
to pin. The live status lists carry the current revision and a fresh `exp`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opcert.credential.statuslist import StatusList
from opcert.credential.verifier import ASCII_WHITESPACE, verify
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.domain.errors import DomainError, FieldError
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.statuslists import StatusListService
from opcert.services.verification import record

MAX_PAYLOAD = 4096


class LiveStatuses:
    """Status lists read straight from the database: a change is visible to the next check."""

    def __init__(self, uow: UnitOfWork, service: StatusListService, now: datetime) -> None:
        self.uow, self.service, self.now = uow, service, now

    def get(self, list_id: str) -> StatusList | None:
        return self.service.current_bits(self.uow, list_id, self.now)


def verify_online(ctx: ServiceContext, payload: object) -> dict[str, Any]:
    if not isinstance(payload, str) or not payload.strip(ASCII_WHITESPACE):
        raise FieldError(
            "payload",
            "REQUIRED",
            "请提供二维码内容（以 SC1: 开头）",
            "payload is required (the SC1: string of the QR code)",
        )
    if len(payload) > MAX_PAYLOAD:
        raise FieldError(
            "payload",
            "TOO_LONG",
            f"内容超过 {MAX_PAYLOAD} 个字符",
            f"payload longer than {MAX_PAYLOAD} characters",
        )
    now = ctx.now()
    with ctx.reader() as uow:
        trust, _ = ctx.keys.trust_list(uow, now)
        result = verify(
            payload,  # the verifier trims ASCII white space and forgives nothing else
            trust_list=trust,
            statuses=LiveStatuses(uow, ctx.status_lists, now),
            now=now,
        )
        body = result.to_json()
        trusted = result.verified and result.verdict in record.TRUSTED_CONTENT
        body["certificate_verified"] = result.payload is not None and trusted
        if result.payload is None:
            body["record"] = None
        elif trusted:
            body["record"] = record.compare(uow, result.payload, ctx.today())
        else:
            body["record"] = record.not_compared()
    body["category_name"] = _category_name(body.get("certificate"))
    return body


def _category_name(certificate: object) -> str | None:
    """The category's Chinese name for display (the credential carries only its code)."""
    if not isinstance(certificate, dict) or not isinstance(certificate.get("cat"), str):
        return None
    try:
        return catalogue(CURRENT_CATALOGUE_VERSION).category(certificate["cat"]).name_zh
    except DomainError:
        return None
