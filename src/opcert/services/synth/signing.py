"""Signing the synthetic credentials, in this process or in worker processes.

Signing and encoding an SC1 credential (CBOR, zlib, Ed25519, Base45) is about 40 % of the work of
``opcert synth`` and needs nothing from the database, so it can run on another core while the
loader plans, builds and writes the next chunk. The workers receive the issuers' private keys as
PKCS#8 bytes over the pipe to their own forked child processes, keep them in memory only,
and return the texts in the order asked. Ed25519 signatures are deterministic, so the texts are
byte for byte those the loader would have made itself: the worker count never changes the data.

A key that cannot leave its signer (a PKCS#11 token) keeps signing in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from cryptography.hazmat.primitives.serialization import load_der_private_key

from opcert.credential.keys import Signer, SoftwareSigner
from opcert.services.issuance.minting import ClaimFacts, Unsigned, sign

Texts = Callable[[], list[str]]  # waits for, then returns, the signed texts of one batch


def default_workers() -> int:
    """One worker per core beyond the loader's own, at most four."""
    return max(0, min((os.cpu_count() or 1) - 1, 4))


class Signing:
    """Signs batches of ``Unsigned`` jobs, inline (``workers=0``) or in a process pool."""

    def __init__(self, signer_for: Callable[[str], Signer], workers: int) -> None:
        self._signer_for = signer_for
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, jobs: list[Unsigned]) -> Texts:
        """Start signing ``jobs``; the returned call gives their texts, in order."""
        signers = {job.issuer: self._signer_for(job.issuer) for job in jobs}
        if self._workers == 0 or not jobs or not _exportable(signers):
            texts = [sign(signers[job.issuer], job) for job in jobs]
            return lambda: texts
        keys = {issuer: s.private_pkcs8() for issuer, s in signers.items()}  # type: ignore[attr-defined]
        pool = self._start()
        size = -(-len(jobs) // self._workers)
        wire = [_to_wire(job) for job in jobs]
        parts: list[Future[list[str]]] = [
            pool.submit(_sign_in_worker, keys, wire[i : i + size])
            for i in range(0, len(wire), size)
        ]
        return lambda: [text for part in parts for text in part.result()]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Signing:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(self._workers, mp_context=context)
        return self._pool


def _exportable(signers: dict[str, Signer]) -> bool:
    return all(isinstance(s, SoftwareSigner) for s in signers.values())


_WORKER_SIGNERS: dict[bytes, SoftwareSigner] = {}


# A job as it crosses the pipe: plain tuples. Pickling the named tuples themselves (through
# ``copyreg.__newobj__``) cost seven times as much: 0.58 s out and 0.56 s back for the 81,000
# versions of a scale-0.002 load, against 0.17 s and 0.07 s, and the loader waited on it.
Wire = tuple[str, int, bytes, tuple[str, int], tuple[Any, ...]]


def _to_wire(job: Unsigned) -> Wire:
    return (job.issuer, job.iat, job.cti, job.slot, tuple(job.facts))


def _from_wire(wire: Wire) -> Unsigned:
    issuer, iat, cti, slot, facts = wire
    return Unsigned(issuer, iat, cti, slot, ClaimFacts._make(facts))


def _sign_in_worker(keys: dict[str, bytes], wire: list[Wire]) -> list[str]:
    jobs = [_from_wire(item) for item in wire]
    signers = {}
    for issuer, der in keys.items():
        if der not in _WORKER_SIGNERS:
            _WORKER_SIGNERS[der] = SoftwareSigner(load_der_private_key(der, None))  # type: ignore[arg-type]
        signers[issuer] = _WORKER_SIGNERS[der]
    return [sign(signers[job.issuer], job) for job in jobs]
