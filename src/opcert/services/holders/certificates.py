"""The holder's own certificates (我的证书), after real-name login."""

from __future__ import annotations

from typing import Any

from opcert.domain.certificates import own_numbers
from opcert.domain.errors import Forbidden
from opcert.services.kernel.context import ServiceContext
from opcert.services.verification.query import certificates_view


def my_certificates(ctx: ServiceContext, id_number: str) -> list[dict[str, Any]]:
    """Every certificate of the person, with its public status and the authority's name, as
    the public query shows them (a pending review and card-era records included)."""
    return certificates_view(ctx, id_number, None)


def require_own(ctx: ServiceContext, id_number: str, number: str) -> None:
    """A holder may only download their own certificates: a number of theirs is a type's prefix
    and their ID number (``T`` special operation, ``A`` safety manager)."""
    if number.strip().upper() not in own_numbers(id_number):
        raise Forbidden("NOT_YOURS", "只能下载本人的证书", "you may only download your own")
