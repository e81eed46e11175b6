"""Anchoring the ledger: the head signed by the root key, and checks of a chain against heads
signed earlier.

The chain alone cannot tell a truncated tail from a shorter history once the head row is rewritten
too: whoever can write the database can make it consistent again. A checkpoint signed by the
root key, kept where that writer cannot reach (printed by ``opcert ledger checkpoint`` and copied
off the machine), pins a prefix of the chain: entry ``seq`` must still exist with ``hash``.
Every checkpoint is also kept in ``ledger_checkpoints``, so ``opcert ledger verify`` checks the
ones the database still holds even without ``--checkpoint``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from opcert.credential.errors import CheckpointError, CredentialError
from opcert.credential.keys import fingerprint, public_key_from_jwk
from opcert.credential.ledger_checkpoint import (
    Checkpoint,
    checkpoint_kid,
    parse_checkpoint,
    sign_checkpoint,
)
from opcert.persistence.models import SigningKeyRow
from opcert.persistence.repositories.ledger import GENESIS_HASH
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.keystore import ROOT_ISSUER
from opcert.services.kernel.ledger import LedgerReport, verify


@dataclass(frozen=True)
class SignedHead:
    seq: int
    hash: str
    signed_at: datetime
    jws: str


def checkpoint(ctx: ServiceContext) -> SignedHead:
    """Sign the current head (seq, hash, time) with the active root key and keep it."""
    with ctx.uow() as uow:
        seq, digest = uow.ledger.head()
        now = ctx.now()
        signed = Checkpoint(seq=seq, hash=digest, iat=int(now.timestamp()))
        jws = sign_checkpoint(signed, ctx.keys.root_signer(uow))
        uow.ledger.add_checkpoint(seq, digest, now, jws)
        uow.commit()
    return SignedHead(seq, digest, now, jws)


def head(ctx: ServiceContext) -> tuple[int, str]:
    """The head's sequence number and hash, for anchoring out of band."""
    with ctx.uow() as uow:
        return uow.ledger.head()


@dataclass(frozen=True)
class LedgerAudit:
    chain: LedgerReport
    checkpoints_checked: int
    checkpoint_problems: list[str]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.checkpoint_problems


def audit(
    ctx: ServiceContext, given: Iterable[tuple[str, str]], *, root_fingerprint: str | None = None
) -> LedgerAudit:
    """Walk the chain and check it against the ``given`` checkpoints and the stored ones, in one
    transaction (see ``check``)."""
    with ctx.uow() as uow:
        chain = verify(uow)
        checked, problems = check(uow, given, root_fingerprint=root_fingerprint)
    return LedgerAudit(chain, checked, problems)


def check(
    uow: UnitOfWork,
    given: Iterable[tuple[str, str]],
    *,
    root_fingerprint: str | None = None,
    include_stored: bool = True,
) -> tuple[int, list[str]]:
    """Check checkpoints against the chain in ``uow``: ``given`` as (where, JWS) pairs, and the
    ones kept in the database. Returns (how many were checked, the problems found).

    A checkpoint counts only if its signature verifies with a root key of this platform (the one
    with ``root_fingerprint`` when given). Then the chain must hold entry ``seq`` with ``hash``:
    missing means the tail was cut, another hash means the chain was rewritten.
    """
    roots = _root_keys(uow)
    head_seq, _ = uow.ledger.head()
    items = list(given)
    if include_stored:
        seen = {jws for _, jws in items}
        items += [
            (f"数据库 / stored #{row.id}", row.jws)
            for row in uow.ledger.checkpoints()
            if row.jws not in seen
        ]
    problems: list[str] = []
    for where, jws in items:
        try:
            signed = _verified(jws, roots, root_fingerprint)
        except (CredentialError, ValueError) as error:
            problems.append(f"{where}: 检查点签名无效 / checkpoint refused: {error}")
            continue
        problems.extend(f"{where}: {p}" for p in _against_chain(uow, signed, head_seq))
    return len(items), problems


def _root_keys(uow: UnitOfWork) -> dict[str, SigningKeyRow]:
    return {row.kid: row for row in uow.keys.all() if row.issuer == ROOT_ISSUER}


def _verified(
    jws: str, roots: dict[str, SigningKeyRow], root_fingerprint: str | None
) -> Checkpoint:
    row = roots.get(checkpoint_kid(jws))
    if row is None:
        raise CheckpointError("checkpoint: signed by a key that is not a root key of this platform")
    public_key = public_key_from_jwk(row.public_jwk)
    if root_fingerprint is not None and not hmac.compare_digest(
        _hex(fingerprint(public_key)), _hex(root_fingerprint)
    ):
        raise CheckpointError("checkpoint: the root key is not the pinned fingerprint")
    signed = parse_checkpoint(jws, public_key)
    if row.revoked_at is not None and signed.iat >= int(row.revoked_at.timestamp()):
        raise CheckpointError("checkpoint: signed after the root key was revoked")
    return signed


def _hex(text: str) -> str:
    """A fingerprint as plain lower-case hex: spaces (``3F2A 9B01 …``) and colons dropped."""
    return "".join(c for c in text.lower() if c in "0123456789abcdef")


def _against_chain(uow: UnitOfWork, signed: Checkpoint, head_seq: int) -> list[str]:
    at = f"#{signed.seq} ({signed.hash[:16]}…)"
    if signed.seq == 0:
        ok = signed.hash == GENESIS_HASH
        return [] if ok else [f"检查点 {at} 不是空账本 / checkpoint of seq 0 with a hash"]
    entry = uow.ledger.entry(signed.seq)
    if entry is None or signed.seq > head_seq:
        return [
            f"账本缺少检查点记录的条目 {at}，链头仅到 #{head_seq}：尾部被截断 / the chain "
            f"lacks the checkpointed entry {at}, its head is #{head_seq}: the tail was cut"
        ]
    if not hmac.compare_digest(entry.hash, signed.hash):
        return [
            f"条目 #{signed.seq} 的哈希与检查点不同：账本被改写 / entry #{signed.seq} differs "
            "from the checkpoint: the chain was rewritten"
        ]
    return []
