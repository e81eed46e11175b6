"""What the platform publishes for verifiers: the national root key and its fingerprint, the
signed trust list, the signed status lists, and what the offline verifier pins at install."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.statuslists import SignedStatusList


def root_key(ctx: ServiceContext) -> dict[str, str]:
    """The root key as a JWK. Raises ``NotFound`` before the platform has one."""
    with ctx.uow() as uow:
        return ctx.keys.root_jwk(uow)


def root_fingerprint(ctx: ServiceContext) -> str:
    """The spec's root fingerprint (section 4): lowercase hex SHA-256 of the DER SPKI."""
    with ctx.uow() as uow:
        return ctx.keys.root_fingerprint(uow)


@dataclass(frozen=True)
class SignedTrustList:
    jws: str
    exp: int  # seconds since the epoch


def trust_list(ctx: ServiceContext) -> SignedTrustList:
    with ctx.uow() as uow:
        trust, jws = ctx.keys.trust_list(uow, ctx.now())
    return SignedTrustList(jws, trust.exp)


def status_list(ctx: ServiceContext, list_id: str) -> SignedStatusList:
    """Raises ``NotFound`` for an unknown list."""
    with ctx.uow() as uow:
        return ctx.status_lists.signed(uow, list_id, ctx.now())


def offline_config(ctx: ServiceContext) -> dict[str, Any]:
    """What the offline verifier pins at install: the root key, its fingerprint (plain hex),
    and where the trust list, every status list and the log checkpoint are fetched."""
    with ctx.uow() as uow:
        root_jwk = ctx.keys.root_jwk(uow)
        spaced = ctx.keys.root_fingerprint(uow)
        list_ids = ctx.status_lists.list_ids(uow)
    return {
        "root_jwk": root_jwk,
        "root_fingerprint": spaced.replace(" ", "").lower(),
        "trust_list": "/.well-known/opcert/trust-list",
        "status_lists": [f"/.well-known/opcert/status/{list_id}" for list_id in list_ids],
        "checkpoint": "/.well-known/opcert/log/checkpoint",
    }
