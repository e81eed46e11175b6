"""Sending claimed deliveries over HTTP, concurrently (the network half of ``dispatch``).

``httpx.AsyncClient``s with keep-alive for the dispatcher's life (a few per subscriber); at most ``concurrency``
requests at once, and at most ``per_subscriber`` to any one subscriber, so a slow receiver holds
a bounded share and never blocks the others. Each request is cut after ``timeout`` seconds,
however the receiver trickles its answer. The deliveries of one subject to one subscriber (a
run) are sent one after the other in event order; after a failure the rest of the run is given
back untried, so a later event never overtakes an earlier one.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from opcert.services.sharing.webhooks import Signer

SHARD_CONNECTIONS = 8  # connections of one client (see _Shard)
RESPONSE_LIMIT = 64 * 1024  # bytes of a receiver's answer read at most; the rest is dropped
DELIVERED, FAILED, GONE, RELEASED = "delivered", "failed", "gone", "released"


@dataclass(frozen=True)
class Job:
    """One claimed delivery, ready to send. ``attempts`` as claimed (recording checks it);
    ``deadline`` (monotonic seconds) is the last moment an attempt may start within the lease;
    ``refused`` says why it must not be sent at all (the address, a missing secret)."""

    delivery_id: int
    attempts: int
    created_at: datetime
    occurred_at: datetime
    subscriber_id: int
    subscriber_code: str
    subject: str
    event_id: str
    url: str
    body: bytes
    signer: Signer | None
    deadline: float
    refused: str | None = None


@dataclass(frozen=True)
class Outcome:
    job: Job
    kind: str  # delivered | failed | gone | released
    status: int | None = None
    error: str | None = None


def runs(jobs: Sequence[Job]) -> list[list[Job]]:
    """``jobs`` (in event order) grouped by subscriber and subject, each group in event order."""
    grouped: dict[tuple[int, str], list[Job]] = {}
    for job in jobs:
        grouped.setdefault((job.subscriber_id, job.subject), []).append(job)
    return list(grouped.values())


@dataclass
class _Shard:
    """A few keep-alive connections to one subscriber. httpcore's pool scans every connection
    for every queued request (quadratic in the pool's size: here one client of 64 connections
    sent about a third of the requests per second of eight clients of eight), so a subscriber's
    requests are spread over several small clients."""

    client: httpx.AsyncClient
    free: int


class Sender:
    def __init__(self, *, concurrency: int, per_subscriber: int, timeout: float) -> None:
        self.timeout = timeout
        self.per_subscriber = per_subscriber
        self._all = asyncio.Semaphore(concurrency)
        self._each: dict[int, asyncio.Semaphore] = {}
        self._shards: dict[int, list[_Shard]] = {}
        self._tls: ssl.SSLContext | None = None  # one for all clients: each costs ~70 ms

    async def aclose(self) -> None:
        for shards in self._shards.values():
            for shard in shards:
                await shard.client.aclose()
        self._shards.clear()

    def _shard(self, subscriber_id: int) -> _Shard:
        shards = self._shards.get(subscriber_id)
        if shards is None:
            count = max(1, -(-self.per_subscriber // SHARD_CONNECTIONS))
            size = -(-self.per_subscriber // count)
            if self._tls is None:
                self._tls = httpx.create_ssl_context()  # honours SSL_CERT_FILE / SSL_CERT_DIR
            shards = [_Shard(client(size, self.timeout, self._tls), size) for _ in range(count)]
            self._shards[subscriber_id] = shards
        return max(shards, key=lambda shard: shard.free)

    async def run(self, jobs: Sequence[Job]) -> list[Outcome]:
        """Send one run in order; stop at the first delivery that is not delivered."""
        outcomes: list[Outcome] = []
        for index, job in enumerate(jobs):
            if time.monotonic() > job.deadline:  # the lease would end while it is in flight
                outcomes += [Outcome(rest, RELEASED) for rest in jobs[index:]]
                break
            outcome = await self.send(job)
            outcomes.append(outcome)
            if outcome.kind != DELIVERED:
                outcomes += [Outcome(rest, RELEASED) for rest in jobs[index + 1 :]]
                break
        return outcomes

    async def send(self, job: Job) -> Outcome:
        if job.refused is not None or job.signer is None:
            return Outcome(job, FAILED, error=(job.refused or "no signer")[:300])
        gate = self._each.setdefault(job.subscriber_id, asyncio.Semaphore(self.per_subscriber))
        async with gate, self._all:
            if time.monotonic() > job.deadline:
                return Outcome(job, RELEASED)
            shard = self._shard(job.subscriber_id)
            shard.free -= 1
            headers = job.signer.headers(job.event_id, job.body)
            try:
                async with asyncio.timeout(self.timeout):
                    status = await _post(shard.client, job.url, job.body, headers)
            except TimeoutError:
                return Outcome(job, FAILED, error=f"timeout after {self.timeout:g} s")
            except Exception as error:  # an odd URL, a broken connection: a failed attempt
                return Outcome(job, FAILED, error=_short(error))
            finally:
                shard.free += 1
        if 200 <= status < 300:
            return Outcome(job, DELIVERED, status)
        if status == 410:
            return Outcome(job, GONE, status, "410 Gone")
        return Outcome(job, FAILED, status, f"HTTP {status}")


async def _post(http: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]) -> int:
    async with http.stream("POST", url, content=body, headers=headers) as response:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > RESPONSE_LIMIT:
                break
        return response.status_code


def _short(error: Exception) -> str:
    """The error's kind and first words: never the request (headers carry signatures)."""
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def client(connections: int, timeout: float, tls: ssl.SSLContext) -> httpx.AsyncClient:
    """An HTTP client of the dispatcher: keep-alive, no redirects (a 3xx is a failure: a receiver
    must not send the platform's data elsewhere), no proxies from the environment (the CA
    bundle may come from it: ``tls``)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        follow_redirects=False,
        trust_env=False,
        verify=tls,
    )
