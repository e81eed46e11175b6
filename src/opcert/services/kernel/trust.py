"""Trust material: key rotation and compromise, and the files an offline verifier needs."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path

from opcert.credential.claims import CredentialPayload
from opcert.credential.keys import kid_b64
from opcert.credential.sc1 import decode, encode
from opcert.domain.certificates import StatusCode
from opcert.persistence.models import CredentialVersion
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance import log as transparency_log
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

    A re-signed credential is a new version with the same claims, the issuer's new key and a fresh
    status entry; the old version is marked superseded so a holder knows to fetch the new one.
    """
    now = ctx.now()
    at = at or now
    with ctx.uow() as uow:
        uow.begin_write()
        row = ctx.keys.revoke(uow, kid, at, now)
        count = _resign(uow, ctx, kid, int(at.timestamp()), row.issuer) if resign else 0
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


def _resign(uow: UnitOfWork, ctx: ServiceContext, kid: str, since: int, issuer: str) -> int:
    signer = ctx.keys.signer_for(uow, issuer)
    now = ctx.now()
    count = 0
    for version in list(uow.certificates.versions_signed_by(kid, since)):
        certificate = uow.certificates.by_id(version.certificate_id)
        if certificate is None or certificate.current_version_id != version.id:
            continue
        if version.status_value != StatusCode.IN_FORCE:
            continue
        old = decode(version.sc1).payload
        if old is None:
            continue
        slot = ctx.status_lists.allocate(uow, issuer, 1, now)[0]
        claims = dataclasses.replace(old.certificate, st=slot)
        payload = CredentialPayload(
            iss=old.iss,
            iat=int(now.timestamp()),
            exp=old.exp,
            cti=os.urandom(16),
            certificate=claims,
        )
        new = CredentialVersion(
            certificate_id=certificate.id,
            version=version.version + 1,
            cti=payload.cti.hex(),
            kid=kid_b64(signer.kid),
            issuer=issuer,
            iat=payload.iat,
            sc1=encode(payload, signer),
            list_id=slot[0],
            list_index=slot[1],
            status_value=0,
            created_at=now,
        )
        uow.certificates.add(new)
        transparency_log.append(
            uow, [transparency_log.LogItem(new.cti, new.sc1, certificate.application_id)], now
        )
        ctx.status_lists.set_status(uow, version, StatusCode.SUPERSEDED, now)
        certificate.current_version_id = new.id
        count += 1
    return count


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
