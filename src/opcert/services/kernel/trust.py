"""Trust material: key rotation and compromise, and the files an offline verifier needs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from opcert.domain.certificates import StatusCode
from opcert.persistence.models import Certificate
from opcert.persistence.repositories.certificates import NewCertificate
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.minting import mint
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.keystore import KeyInfo


def keys(ctx: ServiceContext) -> list[KeyInfo]:
    """Every signing key of the platform, the root included."""
    with ctx.uow() as uow:
        return ctx.keys.key_infos(uow)


def rotate(ctx: ServiceContext, issuer: str) -> tuple[str | None, str]:
    with ctx.uow() as uow:
        old, new = ctx.keys.rotate(uow, issuer, ctx.now())
        ledger.append(
            uow,
            [
                ledger.LedgerEvent(
                    ctx.now(),
                    "cli:operator",
                    "key.rotated",
                    f"key:{issuer}",
                    {"old": old, "new": new},
                )
            ],
        )
        uow.commit()
        return old, new


def compromise(ctx: ServiceContext, kid: str, at: datetime | None, *, resign: bool) -> int:
    """Revoke a key from ``at``; re-sign every current credential it signed since then.

    A re-signed credential is a new version (``minting.mint``) with the certificate's claims, the
    issuer's new key and a fresh status entry; the old version is marked superseded so a holder
    knows to fetch the new one.
    """
    now = ctx.now()
    at = at or now
    with ctx.uow() as uow:
        uow.begin_write()
        ctx.keys.revoke(uow, kid, at, now)
        count = _resign(uow, ctx, kid, int(at.timestamp())) if resign else 0
        ledger.append(
            uow,
            [
                ledger.LedgerEvent(
                    now,
                    "cli:operator",
                    "key.revoked",
                    f"key:{kid}",
                    {"revoked_at": at.isoformat(), "resigned": count},
                )
            ],
        )
        uow.commit()
        return count


def _resign(uow: UnitOfWork, ctx: ServiceContext, kid: str, since: int) -> int:
    """Mint the next version of every certificate whose current, in-force credential the key
    signed since ``since``: its claims as the certificate stands, the issuer's active key."""
    due: list[Certificate | NewCertificate] = []
    for version in list(uow.certificates.versions_signed_by(kid, since)):
        certificate = uow.certificates.by_id(version.certificate_id)
        if certificate is None or certificate.current_version_id != version.id:
            continue
        if version.status_value != StatusCode.IN_FORCE:
            continue
        due.append(certificate)
    return len(mint(uow, ctx, due, ctx.now()))


def export(ctx: ServiceContext, directory: Path) -> int:
    now = ctx.now()
    (directory / "status").mkdir(parents=True, exist_ok=True)
    with ctx.uow() as uow:
        _, jws = ctx.keys.trust_list(uow, now)
        (directory / "trust-list.jws").write_text(jws, encoding="ascii")
        (directory / "root-key.jwk").write_text(
            json.dumps(ctx.keys.root_jwk(uow)), encoding="ascii"
        )
        written = 2
        for list_id in ctx.status_lists.list_ids(uow):
            signed = ctx.status_lists.signed(uow, list_id, now)
            (directory / "status" / f"{list_id}.jws").write_text(signed.jws, encoding="ascii")
            written += 1
    return written
