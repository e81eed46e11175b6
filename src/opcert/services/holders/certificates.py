"""The holder's own certificates (我的证书), after real-name login."""

from __future__ import annotations

from typing import Any

from opcert.domain.errors import Forbidden
from opcert.services.kernel.context import ServiceContext
from opcert.services.verification.query import certificates_view


def my_certificates(ctx: ServiceContext, id_number: str) -> list[dict[str, Any]]:
    """Every certificate of the person, with its public status and the authority's name, as
    the public query shows them (a pending review and card-era records included)."""
    return certificates_view(ctx, id_number, None)


def require_own(ctx: ServiceContext, id_number: str, number: str) -> None:
    """A holder may only download their own certificates: the number is "T" + the ID number."""
    if number.strip().upper() != "T" + id_number:
        raise Forbidden("NOT_YOURS", "只能下载本人的证书", "you may only download your own")
