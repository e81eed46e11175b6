"""The transparency log of issuance (spec section 8, decision 0010).

``append`` runs inside the issuing transaction: the credentials a batch signs are logged in
the same commit, or not at all. It locks the log head, reads the right-edge tile of each level
(a few rows), grows them with the new leaf hashes and writes entries and tiles with multi-row
inserts. Tree heads and proofs read tiles only: a proof at 18 million entries reads about a
dozen rows.

Checkpoints are signed lazily: ``checkpoint`` signs a new one when the tree has grown since the
last, with the ``CN-LOG`` key when there is one, else with the national root key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from opcert.credential.keys import Signer
from opcert.credential.tlog import Checkpoint, Proof, leaf_data_of, sign_checkpoint
from opcert.credential.tlog_merkle import inclusion_proof, leaf_hash, tree_hash
from opcert.credential.tlog_tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TileRef,
    TileSubtrees,
    entry_bundle,
    extend_tiles,
    tile_width_at,
)
from opcert.domain.errors import NotFound
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext

LOG_ISSUER = "CN-LOG"
LOG_PATH = "/.well-known/opcert/log"


@dataclass(frozen=True, slots=True)
class LogItem:
    """One signed credential version to log: its ``cti`` (hex), its SC1 text and the
    application (and so the exam result) it was issued on."""

    cti: str
    sc1: str
    application_id: str | None


def origin(base_url: str) -> str:
    """The log's origin line: host and path of ``{base}/.well-known/opcert/log``, no scheme."""
    parts = urlsplit(base_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}{LOG_PATH}"


def append(uow: UnitOfWork, items: Sequence[LogItem], now: datetime) -> None:
    """Log ``items`` in order, in the caller's transaction. Raises MalformedCredential only for
    a text that is not an SC1 string (an internal fault)."""
    if not items:
        return
    size = uow.log.lock_size()
    entries = [leaf_data_of(item.sc1) for item in items]
    hashes = [leaf_hash(entry) for entry in entries]
    edge = {level: tile for (level, _), tile in uow.log.tiles(_right_edge(size)).items()}
    changed = extend_tiles(size, edge, hashes)
    rows = [
        {
            "idx": size + position,
            "cti": item.cti,
            "leaf_hash": digest,
            "entry": entry,
            "application_id": item.application_id,
            "created_at": now,
        }
        for position, (item, entry, digest) in enumerate(zip(items, entries, hashes, strict=True))
    ]
    uow.log.append(rows, changed, size + len(items))


def _right_edge(size: int) -> list[tuple[int, int]]:
    """The partial tile of every level of a tree of ``size`` leaves."""
    keys, level, count = [], 0, size
    while count:
        index, used = divmod(count, TILE_WIDTH)
        if used:
            keys.append((level, index))
        level, count = level + 1, count >> TILE_HEIGHT
    return keys


class StoredTiles(Mapping[tuple[int, int], bytes]):
    """The stored tiles, read on demand and kept for the life of the unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.cache: dict[tuple[int, int], bytes] = {}

    def __getitem__(self, key: tuple[int, int]) -> bytes:
        if key not in self.cache:
            found = self.uow.log.tile(*key)
            if found is None:
                raise KeyError(key)
            self.cache[key] = found
        return self.cache[key]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.cache)

    def __len__(self) -> int:
        return len(self.cache)


def root_at(uow: UnitOfWork, size: int) -> bytes:
    return tree_hash(size, TileSubtrees(StoredTiles(uow)))


def _signer(uow: UnitOfWork, ctx: ServiceContext) -> Signer:
    if uow.keys.active_for(LOG_ISSUER) is not None:
        return ctx.keys.signer_for(uow, LOG_ISSUER)
    return ctx.keys.root_signer(uow)


def current_checkpoint(uow: UnitOfWork, ctx: ServiceContext) -> tuple[Checkpoint, str]:
    """The checkpoint of the log as it stands and its signed note, signing (and storing) a new
    one when the tree grew since the last. The caller commits."""
    size = uow.log.size()
    latest = uow.log.latest_checkpoint()
    name = origin(ctx.base_url)
    if latest is not None and latest.size == size and latest.note.startswith(f"{name}\n"):
        return Checkpoint(name, size, latest.root), latest.note
    checkpoint = Checkpoint(name, size, root_at(uow, size))
    note = sign_checkpoint(checkpoint, _signer(uow, ctx))
    uow.log.add_checkpoint(size, checkpoint.root, ctx.now(), note)
    return checkpoint, note


def checkpoint_note(ctx: ServiceContext) -> str:
    """The signed note of the current checkpoint (spec section 8)."""
    with ctx.uow() as uow:
        _, note = current_checkpoint(uow, ctx)
        uow.commit()
    return note


def proof_for(ctx: ServiceContext, cti: str) -> str:
    """The C2SP tlog-proof of the credential ``cti`` (hex) against the current checkpoint.
    Raises NotFound (``NOT_LOGGED``) when no logged credential has that ``cti``."""
    with ctx.uow() as uow:
        entry = uow.log.by_cti(cti.lower())
        if entry is None:
            raise NotFound(
                "NOT_LOGGED",
                "透明日志中没有该凭证（cti）",
                "no credential with this cti is in the transparency log",
            )
        checkpoint, note = current_checkpoint(uow, ctx)
        hashes = inclusion_proof(entry.idx, checkpoint.size, TileSubtrees(StoredTiles(uow)))
        uow.commit()
    return Proof(entry.idx, tuple(hashes), note).text()


def tile(ctx: ServiceContext, ref: TileRef) -> bytes | None:
    """The tile or entry bundle ``ref`` names, or None when the log does not hold it (yet).
    A partial tile is served for any width the log has reached."""
    reader = ctx.read or ctx.uow
    with reader() as uow:
        size = uow.log.size()
        if ref.level is None:
            if tile_width_at(0, ref.index, size) < ref.width:
                return None
            start = ref.index * TILE_WIDTH
            return entry_bundle(uow.log.entries(start, start + ref.width))
        if tile_width_at(ref.level, ref.index, size) < ref.width:
            return None
        stored = uow.log.tile(ref.level, ref.index)
        return None if stored is None else stored[: 32 * ref.width]
