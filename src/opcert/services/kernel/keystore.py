"""Signing keys: generation, encrypted storage, rotation, compromise, and the signed trust list.

Private keys are PKCS#8 files encrypted with the configured passphrase, mode 0600, under
``<data>/keys``, or keys on a PKCS#11 token (``OPCERT_SIGNER=pkcs11``) named by a ``pkcs11:``
URI; the database holds only public halves, states and those references, so several app
processes share one key set. Signers are loaded lazily and cached per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opcert.credential.keyfiles import read_private_key, write_private_key
from opcert.credential.keys import (
    ALG_EDDSA,
    PublicKey,
    Signer,
    SoftwareSigner,
    generate_private_key,
    jose_alg,
    kid_b64,
    kid_for,
    kid_from_b64,
    public_jwk,
    public_key_from_jwk,
)
from opcert.credential.pinning import root_fingerprint
from opcert.credential.pkcs11_signer import URI_SCHEME as PKCS11_URI_SCHEME
from opcert.credential.pkcs11_signer import Pkcs11Token
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList, sign_trust_list
from opcert.domain.errors import Conflict, NotFound
from opcert.persistence.models import SigningKeyRow
from opcert.persistence.unit_of_work import UnitOfWork

ROOT_ISSUER = "CN"


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    issuer: str
    alg: str
    status: str
    created_at: datetime
    revoked_at: datetime | None


class KeyStore:
    def __init__(
        self,
        keys_dir: Path,
        passphrase: bytes,
        trust_list_lifetime: int = 86400,
        hsm: Pkcs11Token | None = None,
    ) -> None:
        """Keys go to encrypted files under ``keys_dir``, or onto ``hsm`` when one is given
        (``OPCERT_SIGNER=pkcs11``). Keys already made keep working wherever they are."""
        self.keys_dir = keys_dir
        self._passphrase = passphrase
        self._lifetime = trust_list_lifetime
        self._hsm = hsm
        self._signers: dict[str, Signer] = {}
        self._trust_cache: tuple[object, TrustList, str] | None = None
        self._lock = threading.Lock()

    # generation and lifecycle -------------------------------------------------------------
    def ensure(self, uow: UnitOfWork, issuers: list[str], now: datetime) -> list[str]:
        """Create the root key and an active key for each issuer lacking one; return new kids."""
        created = []
        for issuer in [ROOT_ISSUER, *issuers]:
            if uow.keys.active_for(issuer) is None:
                created.append(self._generate(uow, issuer, now))
        return created

    def rotate(self, uow: UnitOfWork, issuer: str, now: datetime) -> tuple[str | None, str]:
        """Retire the active key of ``issuer`` and activate a new one. Returns (old, new) kids."""
        old = uow.keys.active_for(issuer)
        if old is None and issuer != ROOT_ISSUER and not uow.registry.authority(issuer):
            raise NotFound(
                "ISSUER_UNKNOWN",
                f"未知的发证机关：{issuer}",
                f"unknown issuing authority: {issuer}",
                field="issuer",
            )
        if old is not None:
            old.status = KeyStatus.RETIRED.value
            old.retired_at = now
        new = self._generate(uow, issuer, now)
        return (old.kid if old else None), new

    def revoke(self, uow: UnitOfWork, kid: str, at: datetime, now: datetime) -> SigningKeyRow:
        """Mark a key compromised from ``at``; a new active key replaces it if it was active."""
        row = uow.keys.get(kid)
        if row is None:
            raise NotFound("KEY_UNKNOWN", f"未知的密钥：{kid}", f"unknown key: {kid}", field="kid")
        if row.status == KeyStatus.REVOKED.value:
            raise Conflict("KEY_ALREADY_REVOKED", "该密钥已吊销", "the key is already revoked")
        was_active = row.status == KeyStatus.ACTIVE.value
        row.status = KeyStatus.REVOKED.value
        row.revoked_at = at
        if was_active:
            self._generate(uow, row.issuer, now)
        uow.session.flush()
        return row

    def _generate(self, uow: UnitOfWork, issuer: str, now: datetime) -> str:
        public_key, key_ref = self._new_key(issuer)
        kid = kid_b64(kid_for(public_key))
        uow.keys.add(
            SigningKeyRow(
                kid=kid,
                issuer=issuer,
                alg=jose_alg(ALG_EDDSA),
                public_jwk=public_jwk(public_key),
                key_ref=key_ref,
                status=KeyStatus.ACTIVE.value,
                nbf_at=now,
                created_at=now,
            )
        )
        return kid

    def _new_key(self, issuer: str) -> tuple[PublicKey, str]:
        """A new Ed25519 key and its ``key_ref``: a ``pkcs11:`` URI on the token, or a file name."""
        if self._hsm is not None:
            signer = self._hsm.generate(ALG_EDDSA)
            return signer.public_key(), signer.uri
        private_key = generate_private_key(ALG_EDDSA)
        public_key = private_key.public_key()
        file_name = f"{issuer}-{kid_b64(kid_for(public_key))}.pem"
        self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private_key(self.keys_dir / file_name, private_key, self._passphrase)
        return public_key, file_name

    # signing ------------------------------------------------------------------------------
    def signer_for(self, uow: UnitOfWork, issuer: str) -> Signer:
        row = uow.keys.active_for(issuer)
        if row is None:
            raise NotFound(
                "NO_ACTIVE_KEY",
                f"发证机关 {issuer} 没有可用的签名密钥，请运行 opcert init",
                f"issuer {issuer} has no active signing key; run opcert init",
            )
        return self._load(row.kid, row.key_ref)

    def _load(self, kid: str, key_ref: str) -> Signer:
        signer = self._signers.get(kid)
        if signer is None:
            with self._lock:
                signer = self._open(key_ref)
                self._signers[kid] = signer
        return signer

    def _open(self, key_ref: str) -> Signer:
        if not key_ref.startswith(PKCS11_URI_SCHEME):
            return SoftwareSigner(read_private_key(self.keys_dir / key_ref, self._passphrase))
        if self._hsm is None:
            raise NotFound(
                "HSM_NOT_CONFIGURED",
                f"密钥 {key_ref} 在 PKCS#11 令牌上，但未配置 OPCERT_SIGNER=pkcs11",
                f"key {key_ref} is on a PKCS#11 token, but OPCERT_SIGNER=pkcs11 is not set",
            )
        return self._hsm.signer(key_ref)

    def root_signer(self, uow: UnitOfWork) -> Signer:
        return self.signer_for(uow, ROOT_ISSUER)

    def root_fingerprint(self, uow: UnitOfWork) -> str:
        """The spec's root fingerprint (section 4): lowercase hex SHA-256 of the DER SPKI."""
        return root_fingerprint(public_key_from_jwk(self.root_jwk(uow)))

    def root_jwk(self, uow: UnitOfWork) -> dict[str, str]:
        row = uow.keys.active_for(ROOT_ISSUER)
        if row is None:
            raise NotFound(
                "NO_ROOT_KEY", "尚未生成根密钥，请运行 opcert init", "no root key; run opcert init"
            )
        return dict(row.public_jwk)

    def backdate_for_demo(self, uow: UnitOfWork, since: datetime) -> int:
        """Demo only (``opcert demo``, refused in production): make every key valid from
        ``since``, the first day of the invented history it signs, so that no demo credential
        is signed before its key's ``nbf`` (a verifier says BAD_SIGNATURE to that). Returns the
        number of keys moved."""
        moved = 0
        for row in uow.keys.all():
            if row.nbf_at > since:
                row.nbf_at = since
                moved += 1
        self._trust_cache = None
        return moved

    # trust list ---------------------------------------------------------------------------
    def trust_list(self, uow: UnitOfWork, now: datetime) -> tuple[TrustList, str]:
        """The current trust list and its signed JWS, cached until a key changes or it ages."""
        state = uow.keys.fingerprint()
        cached = self._trust_cache
        if cached is not None and cached[0] == state:
            trust, jws = cached[1], cached[2]
            if trust.exp - now.timestamp() > self._lifetime / 2:
                return trust, jws
        rows = uow.keys.all()
        keys = tuple(_trusted(row) for row in rows if row.issuer != ROOT_ISSUER)
        issued = int(now.timestamp())
        trust = TrustList(iss=ROOT_ISSUER, iat=issued, exp=issued + self._lifetime, keys=keys)
        jws = sign_trust_list(trust, self.root_signer(uow))
        self._trust_cache = (state, trust, jws)
        return trust, jws

    def key_infos(self, uow: UnitOfWork) -> list[KeyInfo]:
        return [
            KeyInfo(r.kid, r.issuer, r.alg, r.status, r.created_at, r.revoked_at)
            for r in uow.keys.all()
        ]


def _trusted(row: SigningKeyRow) -> TrustedKey:
    return TrustedKey(
        kid=kid_from_b64(row.kid),
        issuer=row.issuer,
        alg=row.alg,
        public_key=public_key_from_jwk(row.public_jwk),
        nbf=int(row.nbf_at.timestamp()),
        exp=None,
        status=KeyStatus(row.status),
        revoked_at=int(row.revoked_at.timestamp()) if row.revoked_at else None,
    )
