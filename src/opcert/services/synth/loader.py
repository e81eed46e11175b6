"""``opcert synth``: generate the synthetic national data set straight into the database.

Contract: refuses (``Conflict`` SYNTH_NOT_EMPTY) a database that already holds persons,
certificates, status lists or anomaly labels — a second run never appends, so a data set is
always exactly one seed at one scale. Holders are generated and written in chunks of
``CHUNK`` holders, one transaction each, through ``bulk_insert`` (COPY on PostgreSQL) with
reserved ids: memory stays bounded by a chunk. The secondary indexes of the four bulk tables
(unique ones included) are dropped before the first chunk and built once after the last, also
when the load fails part way; until then a loading database is not for serving. The same seed,
scale and clock give the same rows (ids and the signing keys aside) on any backend.
"""

from __future__ import annotations

import csv
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from opcert.credential.keys import Signer
from opcert.domain.certificates import issuer_code
from opcert.domain.errors import Conflict, FieldError, ValidationFailed
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance import log as transparency_log
from opcert.services.issuance.numbering import candidate_divisions
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.spreadsheet_cells import csv_row
from opcert.services.synth import anomalies, exams
from opcert.services.synth.credentials import SlotAllocator
from opcert.services.synth.people import IdentityAllocator
from opcert.services.synth.plans import Run, plan_chunk
from opcert.services.synth.rows import ChunkRows, Issuing, build, counts
from opcert.services.synth.signing import Signing, Texts, default_workers
from opcert.services.synth.sites import write_sites

HOLDERS_AT_SCALE_1 = 18_000_000
CHUNK = 10_000
SAMPLE_SIZE = 1_000
MAX_SCALE = 2.0
_GUARDED = ("persons", "certificates", "status_lists", "synth_anomalies")


@dataclass
class Summary:
    holders: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    anomalies: int = 0
    status_lists: int = 0
    id_digest: str = ""  # SHA-256 of the holders' ID numbers in generation order
    index_seconds: float = 0.0  # building the bulk tables' secondary indexes after the rows
    sample: list[tuple[str, str]] = field(default_factory=list)


Progress = Callable[[int, int], None]  # (holders written, holders in all)


def holders_for(scale: float) -> int:
    """Number of holders at ``scale``; raises ``ValidationFailed`` outside (0, 2]."""
    if not 0 < scale <= MAX_SCALE:
        raise ValidationFailed(
            [
                FieldError(
                    "scale", "OUT_OF_RANGE", "规模须大于 0 且不超过 2", "scale must be in (0, 2]"
                )
            ]
        )
    return max(1, round(HOLDERS_AT_SCALE_1 * scale))


def synthesise(
    ctx: ServiceContext,
    scale: float,
    seed: int = 0,
    sample: Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    inject: bool = True,
    exams_only: bool = False,
) -> Summary:
    """Generate and load the data set; write ``sample`` (CSV ``id_number,name``) when given.
    ``inject=False`` leaves out the anomalies (and their labels): data with nothing to find.
    ``exams_only`` writes the holders, their exam results and the labels, and no certificates,
    signed versions or status lists: the nation's exam data for the analytics benchmark, in a
    fraction of the time and space (the exams and people are the same as in a full run).

    ``workers`` processes sign the credentials (``signing``); by default one per spare core when
    there is more than one chunk, none (signing inline) for a single chunk.
    """
    total = holders_for(scale)
    today, now = ctx.today(), ctx.now()
    summary = Summary(holders=total)
    plan, authority, deferred = _prepare(ctx, seed, inject, summary, today, now)
    codes, weights = exams.items()
    run = Run(seed, today, plan, codes, weights)
    if workers is None:
        workers = default_workers() if total > CHUNK and not exams_only else 0
    try:
        slots = _load(ctx, run, authority, summary, now, progress, workers, exams_only)
    except BaseException:
        # Put the indexes back over whatever was written, so the schema is never left without
        # them; the partial data set itself is refused by a second run (SYNTH_NOT_EMPTY).
        _build_indexes(ctx, deferred)
        raise
    begin = time.perf_counter()
    _build_indexes(ctx, deferred)
    summary.index_seconds = time.perf_counter() - begin
    if progress is not None:
        progress(total, total)
    summary.anomalies += summary.rows.pop("synth_anomalies", 0)
    summary.status_lists = _finish(ctx, [] if exams_only else slots.rows(now))
    if sample is not None:
        write_sample(sample, summary.sample)
    return summary


def _prepare(
    ctx: ServiceContext, seed: int, inject: bool, summary: Summary, today: date, now: datetime
) -> tuple[anomalies.AnomalyPlan, Callable[[str], tuple[str, str, str]], list[str]]:
    """The first transaction: refuse a database holding data, write the sites and the anomaly
    labels, and drop the secondary indexes (returned, to be rebuilt after the last chunk)."""
    with ctx.uow() as uow:
        uow.begin_write()
        _refuse_non_empty(uow)
        sites = write_sites(uow, random.Random(f"{seed}:sites"), now)
        plan = anomalies.plan(random.Random(f"{seed}:anomalies"), sites, today)
        if not inject:
            plan = plan.without_anomalies()
        labels = anomalies.labels(plan, sites, seed, now)
        uow.synth.insert("synth_anomalies", labels)
        summary.anomalies += len(labels)
        authority = _authority_lookup(uow)
        deferred = uow.synth.drop_secondary_indexes()
        uow.commit()
    return plan, authority, deferred


def _finish(ctx: ServiceContext, lists: list[dict[str, Any]]) -> int:
    """The last transaction: the status lists, fresh planner statistics, then a vacuum."""
    with ctx.uow() as uow:
        uow.begin_write()
        uow.synth.insert("status_lists", lists)
        uow.synth.analyse()
        uow.commit()
    with ctx.uow() as uow:
        uow.synth.vacuum()
    return len(lists)


def _load(
    ctx: ServiceContext,
    run: Run,
    authority: Callable[[str], tuple[str, str, str]],
    summary: Summary,
    now: datetime,
    progress: Progress | None,
    workers: int,
    exams_only: bool = False,
) -> SlotAllocator:
    """Plan, build, sign and write every chunk of holders; the slots handed out. With
    ``exams_only`` nothing is signed and only the holders, results and labels are written."""
    total, seed = summary.holders, run.seed
    ids, slots = IdentityAllocator(), SlotAllocator(seed)
    signers: dict[str, Signer] = {}
    reserve = _IdReserver()
    digest = hashlib.sha256()
    stride = max(1, total // SAMPLE_SIZE)
    pending: tuple[ChunkRows, Texts] | None = None
    with Signing(signers.__getitem__, workers) as signing:
        # A pipeline: chunk k is signed (in workers) while chunk k-1 is written and k+1 built.
        for chunk, start in enumerate(range(0, total, CHUNK)):
            planned = plan_chunk(run, ids, chunk, min(CHUNK, total - start))
            with ctx.uow() as uow:
                uow.begin_write()
                issuing = Issuing(authority, _signer(ctx, uow, signers), slots)
                needed = counts(planned, exams_only)
                reserved = {t: iter(reserve(uow, t, n)) for t, n in needed.items()}
                reserved["synth_anomalies"] = iter(())
                rng = random.Random(f"{seed}:cti:{chunk}")
                rows = build(planned, reserved, issuing, rng, seed, now, exams_only)
                uow.commit()
            texts = _no_texts if exams_only else signing.submit(rows.unsigned)
            if pending is not None:
                _write(ctx, *pending, summary, now)
            pending = (rows, texts)
            for offset, person in enumerate(planned):
                digest.update(person.holder.id_number.encode())
                if (start + offset) % stride == 0 and len(summary.sample) < SAMPLE_SIZE:
                    summary.sample.append((person.holder.id_number, person.holder.name))
            if progress is not None:
                progress(start, total)
        if pending is not None:
            _write(ctx, *pending, summary, now)
    summary.id_digest = digest.hexdigest()
    return slots


def _build_indexes(ctx: ServiceContext, statements: list[str]) -> None:
    """The bulk tables' secondary indexes, built once over all the rows."""
    with ctx.uow() as uow:
        uow.begin_write()
        uow.synth.prepare_bulk()
        uow.synth.build_indexes(statements)
        uow.commit()


def _no_texts() -> list[str]:
    return []


EXAM_TABLES = ("persons", "exam_results", "synth_anomalies")


def _write(
    ctx: ServiceContext, rows: ChunkRows, texts: Texts, summary: Summary, now: datetime
) -> None:
    """One chunk's rows in one transaction, once its credentials are signed (an exams-only
    chunk, given ``_no_texts``, writes its exam tables alone)."""
    exams_only = texts is _no_texts
    if not exams_only:
        rows.signed(texts())
    with ctx.uow() as uow:
        uow.begin_write()
        uow.synth.prepare_bulk()
        for table, table_rows in rows.tables():
            if exams_only and table not in EXAM_TABLES:
                continue
            uow.synth.insert(table, table_rows)
            summary.rows[table] = summary.rows.get(table, 0) + len(table_rows)
        # Every synthetic credential is logged like an issued one (decision 0010).
        if not exams_only:
            transparency_log.append(
                uow,
                [
                    transparency_log.LogItem(v["cti"], v["sc1"], None)
                    for v in rows.credential_versions
                ],
                now,
            )
        uow.commit()


class _IdReserver:
    """Ids for a chunk's rows before the previous chunk is written (the pipeline needs them).

    PostgreSQL draws from the sequences. SQLite's ids continue after ``max(id)``, which is read
    once per table and then counted here: synth loads an empty database it has to itself
    (``SYNTH_NOT_EMPTY``), and a writer that slipped in would hit the primary key, which rolls
    back that chunk's transaction whole.
    """

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, uow: UnitOfWork, table: str, count: int) -> list[int]:
        if not uow.synth.ids_follow_max():
            return uow.synth.reserve_ids(table, count)
        if table not in self._next:
            self._next[table] = (uow.synth.reserve_ids(table, 1) or [1])[0]
        start = self._next[table]
        self._next[table] = start + count
        return list(range(start, start + count))


def write_sample(path: Path, pairs: list[tuple[str, str]]) -> None:
    """CSV with header ``id_number,name``, UTF-8."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_number", "name"])
        writer.writerows(csv_row(pair) for pair in pairs)


def _refuse_non_empty(uow: UnitOfWork) -> None:
    for table in _GUARDED:
        if not uow.synth.is_empty(table):
            raise Conflict(
                "SYNTH_NOT_EMPTY",
                f"数据库已有数据（{table}），合成数据只能写入新建的空数据库；请换一个数据目录或数据库后重试",
                f"the database already holds data ({table}); synth only loads into a new, empty "
                "database: use another data directory or database",
            )


def _authority_lookup(uow: UnitOfWork) -> Callable[[str], tuple[str, str, str]]:
    known = {
        a.division: (a.code, issuer_code(a.division), a.name) for a in uow.registry.authorities()
    }
    cache: dict[str, tuple[str, str, str]] = {}

    def lookup(region: str) -> tuple[str, str, str]:
        if region not in cache:
            found = [known[d] for d in candidate_divisions(region) if d in known]
            cache[region] = found[0]
        return cache[region]

    return lookup


def _signer(
    ctx: ServiceContext, uow: UnitOfWork, signers: dict[str, Signer]
) -> Callable[[str], Signer]:
    def get(issuer: str) -> Signer:
        if issuer not in signers:
            signers[issuer] = ctx.keys.signer_for(uow, issuer)
        return signers[issuer]

    return get
