"""Sending claimed deliveries over HTTP, concurrently (the network half of ``dispatch``).

An ``aiohttp`` session per subscriber, keep-alive for the dispatcher's life; at most ``concurrency``
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

import aiohttp

from opcert.services.sharing.webhooks import Signer

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


class Sender:
    def __init__(self, *, concurrency: int, per_subscriber: int, timeout: float) -> None:
        self.timeout = timeout
        self.per_subscriber = per_subscriber
        self._all = asyncio.Semaphore(concurrency)
        self._each: dict[int, asyncio.Semaphore] = {}
        self._sessions: dict[int, aiohttp.ClientSession] = {}
        self._tls: ssl.SSLContext | None = None  # one for all sessions: each costs ~70 ms

    async def aclose(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()

    def _session(self, subscriber_id: int) -> aiohttp.ClientSession:
        session = self._sessions.get(subscriber_id)
        if session is None:
            if self._tls is None:
                self._tls = ssl.create_default_context()  # honours SSL_CERT_FILE / SSL_CERT_DIR
            session = client(self.per_subscriber, self.timeout, self._tls)
            self._sessions[subscriber_id] = session
        return session

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
            session = self._session(job.subscriber_id)
            headers = job.signer.headers(job.event_id, job.body)
            try:
                async with asyncio.timeout(self.timeout):
                    status = await _post(session, job.url, job.body, headers)
            except TimeoutError:
                return Outcome(job, FAILED, error=f"timeout after {self.timeout:g} s")
            except Exception as error:  # an odd URL, a broken connection: a failed attempt
                return Outcome(job, FAILED, error=_short(error))
        if 200 <= status < 300:
            return Outcome(job, DELIVERED, status)
        if status == 410:
            return Outcome(job, GONE, status, "410 Gone")
        return Outcome(job, FAILED, status, f"HTTP {status}")


async def _post(http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]) -> int:
    async with http.post(url, data=body, headers=headers, allow_redirects=False) as response:
        await response.content.read(RESPONSE_LIMIT)  # at most this much; the rest is dropped
        return response.status


def _short(error: Exception) -> str:
    """The error's kind and first words: never the request (headers carry signatures)."""
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def client(connections: int, timeout: float, tls: ssl.SSLContext) -> aiohttp.ClientSession:
    """An HTTP session of the dispatcher for one subscriber: keep-alive over at most
    ``connections`` connections, no redirects (``_post``: a 3xx is a failure, a receiver must not
    send the platform's data elsewhere), no proxies from the environment, no cookies kept."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections, ssl=tls),
        timeout=aiohttp.ClientTimeout(total=timeout),
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
    )
