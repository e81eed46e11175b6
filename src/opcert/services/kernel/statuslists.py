"""Status lists: random index allocation, status changes, and the signed, cacheable documents.

Indexes are drawn uniformly at random from the free slots of the issuer's current list, so an
index says nothing about when or to whom a credential was issued. A list is filled to half its
capacity before a new one is opened, which keeps random draws cheap and the lists sparse.

An entry is its stored value, except that an in-force entry of a certificate whose owed review
was missed reads 1 (void, 失效): the lapse follows from the date the list is built on, so no batch
job writes it, and a list cached yesterday is rebuilt after midnight (the cache key holds the day).

Built bits are persisted (table ``status_list_bits``, decision 0011) with the revision and lapse
cutoff they hold for. A status change updates the stored bits in its own transaction where it
can (a non-zero value reads as itself, whatever the lapse); otherwise the stored bits fall
behind the list's revision and the list is rebuilt once. A process that starts loads the stored
bits that still match instead of scanning ``credential_versions``; bits that do not match are
never served.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from opcert.credential.errors import StatusListError
from opcert.credential.statuslist import ENTRIES_PER_LIST, StatusBits, StatusList, sign_status_list
from opcert.domain.certificates import StatusCode
from opcert.domain.clock import local_date
from opcert.domain.errors import NotFound
from opcert.domain.lifecycle import lapse_cutoff
from opcert.persistence.models import CredentialVersion, StatusListRow
from opcert.persistence.unit_of_work import ConcurrentWriteConflict, UnitOfWork
from opcert.services.kernel.keystore import KeyStore

if TYPE_CHECKING:
    from opcert.services.kernel.context import ServiceContext

log = logging.getLogger(__name__)

FILL_RATIO = 0.5
# A signed list's `exp` is its `iat` plus this lifetime (spec section 5), the trust list's default
# lifetime: a verifier carried offline for longer than a day answers STATUS_UNKNOWN (with the
# list's age) rather than trusting a list that may have missed a revocation.
STATUS_LIST_LIFETIME = 86400


@dataclass(frozen=True)
class SignedStatusList:
    list_id: str
    jws: str
    etag: str
    ttl: int
    revision: int
    signed_at: int
    day: date


class StatusListService:
    def __init__(self, keys: KeyStore, ttl: int = 600, entries: int = ENTRIES_PER_LIST) -> None:
        self.keys = keys
        self.ttl = ttl
        self.entries = entries
        self._cache: dict[str, SignedStatusList] = {}
        self._bits: dict[str, tuple[tuple[int, date], StatusBits]] = {}
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}  # one build per list at a time
        # Bits this process built by scanning and has not stored yet: (revision, cutoff) each.
        self._unsaved: dict[str, tuple[tuple[int, date], StatusBits]] = {}
        # Where the bits of this process came from, for the warmer's log and the tests:
        # lists loaded from the stored bits, lists built by scanning credential versions.
        self.loaded = 0
        self.scanned = 0
        # The warmer's round in this process, (lists built, lists in all), for /healthz: None
        # where no warmer runs, (0, None) before the first round has counted the lists.
        self.warm_progress: tuple[int, int | None] | None = None

    def expect_warmer(self) -> None:
        """A warmer is about to start in this process: report 'warming' until it has counted."""
        self.warm_progress = (0, None)

    def warm_report(self) -> dict[str, object] | None:
        """How far this process's warmer got, for ``/healthz``; None where no warmer runs."""
        if self.warm_progress is None:
            return None
        built, total = self.warm_progress
        return {"built": built, "total": total, "warm": built == total}

    def allocate(
        self, uow: UnitOfWork, issuer: str, count: int, now: datetime
    ) -> list[tuple[str, int]]:
        """Reserve ``count`` random free entries for ``issuer``; the lists are locked meanwhile."""
        slots: list[tuple[str, int]] = []
        uow.registry.lock_authority(issuer)
        lists = list(uow.certificates.status_lists(issuer, lock=True))
        while len(slots) < count:
            current = self._open_list(uow, issuer, lists, now)
            room = int(current.entries * FILL_RATIO) - current.allocated
            take = min(room, count - len(slots))
            used = uow.certificates.used_indexes(current.list_id)
            for index in _draw(current.entries, used, take):
                slots.append((current.list_id, index))
            current.allocated += take
            current.updated_at = now
        uow.flush()
        return slots

    def _open_list(
        self, uow: UnitOfWork, issuer: str, lists: list[StatusListRow], now: datetime
    ) -> StatusListRow:
        if lists and lists[-1].allocated < int(lists[-1].entries * FILL_RATIO):
            return lists[-1]
        row = StatusListRow(
            list_id=f"{issuer}-{len(lists) + 1:04d}",
            issuer=issuer,
            entries=self.entries,
            allocated=0,
            revision=0,
            updated_at=now,
        )
        uow.certificates.add(row)
        lists.append(row)
        return row

    def set_status(
        self, uow: UnitOfWork, version: CredentialVersion, value: int, now: datetime
    ) -> None:
        """Set one entry, and the list's stored bits with it in the same transaction when they
        were current. A non-zero value reads as itself; an entry set back in force (0) may read
        as lapsed, which only a build can tell, so then the stored bits are left behind the
        revision and the list is rebuilt once."""
        revision = uow.certificates.set_status(version, value, now)
        stored = uow.certificates.stored_bits(version.list_id)
        cutoff = lapse_cutoff(local_date(now))
        if (
            stored is None
            or value == StatusCode.IN_FORCE
            or stored.revision != revision - 1
            or stored.lapse_cutoff != cutoff
        ):
            return
        bits = StatusBits.decode(stored.bits)
        bits.set(version.list_index, value)
        uow.certificates.store_bits(version.list_id, revision, cutoff, bits.encode(), now)

    def bits(
        self, uow: UnitOfWork, list_id: str, now: datetime
    ) -> tuple[StatusListRow, StatusBits]:
        """The entries of ``list_id`` as they stand on ``now``'s day: stored values plus the
        lapse of missed reviews (one indexed query). Raises ``NotFound`` for an unknown list."""
        row = uow.certificates.status_list(list_id)
        if row is None:
            raise NotFound(
                "STATUS_LIST_UNKNOWN",
                f"没有这个状态列表：{list_id}",
                f"no such status list: {list_id}",
            )
        entries = uow.certificates.status_entries(list_id)
        cutoff = lapse_cutoff(local_date(now))
        entries += [(i, StatusCode.VOID) for i in uow.lifecycle.lapsed_indexes(list_id, cutoff)]
        return row, StatusBits.from_values(row.entries, entries)

    def warm_lists(self, now: datetime) -> set[str]:
        """The lists whose bits, built in this process, are current for ``now``'s date."""
        cutoff = lapse_cutoff(local_date(now))
        return {list_id for list_id, (key, _) in self._bits.items() if key[1] == cutoff}

    def current_bits(self, uow: UnitOfWork, list_id: str, now: datetime) -> StatusList | None:
        """The list as it stands now, unsigned, for online verification; rebuilt only when its
        revision moved or the lapse cutoff moved (one primary-key read otherwise), so a status
        change is still visible to the very next check. A rebuild first reads the stored bits
        (one more primary-key read) and scans the list's credential versions only when they are
        missing or not for this revision and cutoff.

        The bits depend on the date only through ``lapse_cutoff``, which stops at 2026-06-01:
        from then on a list is rebuilt when it changes, not every day. One build per list at a
        time: a check that needs a list being built waits for it instead of building it again.
        """
        row = uow.certificates.status_list(list_id)
        if row is None:
            return None
        key = (row.revision, lapse_cutoff(local_date(now)))
        cached = self._bits.get(list_id)
        if cached is None or cached[0] != key:
            with self._lock:
                building = self._building.setdefault(list_id, threading.Lock())
            with building:
                cached = self._bits.get(list_id)
                if cached is None or cached[0] != key:
                    bits = self._stored(uow, list_id, key)
                    if bits is None:
                        _, bits = self.bits(uow, list_id, now)
                        with self._lock:
                            self._unsaved[list_id] = (key, bits)
                            self.scanned += 1
                    else:
                        with self._lock:
                            self.loaded += 1
                    cached = (key, bits)
                    with self._lock:
                        self._bits[list_id] = cached
        issued = int(now.timestamp())
        return StatusList(
            list_id=list_id,
            iss=row.issuer,
            iat=issued,
            ttl=self.ttl,
            bits=cached[1],
            exp=issued + STATUS_LIST_LIFETIME,
            rev=row.revision,
        )

    def _stored(self, uow: UnitOfWork, list_id: str, key: tuple[int, date]) -> StatusBits | None:
        """The stored bits of ``list_id`` if they hold for ``key`` (revision, cutoff)."""
        stored = uow.certificates.stored_bits(list_id)
        if stored is None or (stored.revision, stored.lapse_cutoff) != key:
            return None
        try:
            return StatusBits.decode(stored.bits)
        except StatusListError:
            log.warning("stored bits of status list %s unreadable; rebuilding it", list_id)
            return None

    def unsaved(self) -> dict[str, tuple[tuple[int, date], StatusBits]]:
        with self._lock:
            return dict(self._unsaved)

    def saved(self, list_id: str, key: tuple[int, date]) -> None:
        with self._lock:
            if list_id in self._unsaved and self._unsaved[list_id][0] == key:
                del self._unsaved[list_id]

    def signed(self, uow: UnitOfWork, list_id: str, now: datetime) -> SignedStatusList:
        """The signed list, rebuilt whenever its revision moved, the day changed (lapses follow
        the date) or half its ttl has passed."""
        row = uow.certificates.status_list(list_id)
        cached = self._cache.get(list_id)
        today = local_date(now)
        if (
            cached is not None
            and row is not None
            and cached.revision == row.revision
            and cached.day == today
            and 0 <= now.timestamp() - cached.signed_at < self.ttl / 2
        ):
            return cached
        row, bits = self.bits(uow, list_id, now)
        issued = int(now.timestamp())
        document = StatusList(
            list_id=list_id,
            iss=row.issuer,
            iat=issued,
            ttl=self.ttl,
            bits=bits,
            exp=issued + STATUS_LIST_LIFETIME,
            rev=row.revision,
        )
        jws = sign_status_list(document, self.keys.signer_for(uow, row.issuer))
        etag = '"' + hashlib.sha256(jws.encode()).hexdigest()[:32] + '"'
        signed = SignedStatusList(list_id, jws, etag, self.ttl, row.revision, issued, today)
        with self._lock:
            self._cache[list_id] = signed
        return signed

    def list_ids(self, uow: UnitOfWork) -> list[str]:
        return [row.list_id for row in uow.certificates.all_status_lists()]


def _draw(entries: int, used: set[int], count: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < count:
        index = secrets.randbelow(entries)
        if index not in used:
            used.add(index)
            chosen.append(index)
    return chosen


def warm(ctx: ServiceContext) -> int:
    """Make the current bits of every status list ready now, so that no online check waits for
    one: loaded from the stored bits where they still hold (a primary-key read and a GZIP
    inflate), built otherwise (~0.1 s a list at national volume) and then stored. Returns the
    number of lists loaded, built or found fresh."""
    with ctx.reader() as uow:
        list_ids = [row.list_id for row in uow.certificates.all_status_lists()]
    service = ctx.status_lists
    service.warm_progress = (0, len(list_ids))
    for done, list_id in enumerate(list_ids, start=1):
        with ctx.reader() as uow:
            service.current_bits(uow, list_id, ctx.now())
        service.warm_progress = (done, len(list_ids))
    persist(ctx)
    return len(list_ids)


def persist(ctx: ServiceContext) -> int:
    """Store the bits this process built by scanning, each in its own short transaction and
    only while the list is still at the revision they were built for (its row is locked
    meanwhile, so a status change of the list waits or has already moved the revision). Bits
    another process stored first are overwritten with the same entries. Returns how many were
    stored."""
    service = ctx.status_lists
    stored = 0
    for list_id, (key, bits) in service.unsaved().items():
        revision, cutoff = key
        try:
            with ctx.uow() as uow:
                uow.begin_write()
                row = uow.certificates.locked_status_list(list_id)
                current = row is not None and row.revision == revision
                if current and cutoff == lapse_cutoff(ctx.today()):
                    uow.certificates.store_bits(list_id, revision, cutoff, bits.encode(), ctx.now())
                    uow.commit()
                    stored += 1
        except ConcurrentWriteConflict:  # another process stored this list at the same moment
            pass
        service.saved(list_id, key)
    return stored


def keep_warm(ctx: ServiceContext, stop: threading.Event, poll_seconds: float = 60.0) -> None:
    """``warm`` at once, then again whenever the lapse cutoff moves (each day before 2026-06-01,
    never after: see ``current_bits``), and ``persist`` at every other poll, until ``stop`` is
    set. Meant for a daemon thread per
    server process; a failed round is logged and retried at the next poll, never fatal to the
    server."""
    warmed_for = None
    while not stop.is_set():
        cutoff = lapse_cutoff(ctx.today())
        if cutoff != warmed_for:
            try:
                started = time.perf_counter()
                count = warm(ctx)
                warmed_for = cutoff
                log.info(
                    "status lists warm: %d lists in %.1f s (%d loaded, %d built so far)",
                    count,
                    time.perf_counter() - started,
                    ctx.status_lists.loaded,
                    ctx.status_lists.scanned,
                )
            except Exception:
                log.exception("status lists could not be warmed; retrying at the next poll")
        else:
            try:
                persist(ctx)  # lists that checks rebuilt since (a status change set back to 0)
            except Exception:
                log.exception("status list bits could not be stored; retrying at the next poll")
        stop.wait(poll_seconds)
