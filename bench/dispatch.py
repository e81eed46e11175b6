"""Webhook dispatch benchmark: deliveries per second to a local receiver that verifies every
signature, beside the raw limits measured in the same run, and act -> delivered latency.

Prints one JSON object per measurement:
- ``receiver_alone``: verified webhook requests per second the receiver (uvicorn, one process,
  ``tests/sharing_receiver.py``) answers to a bare asyncio HTTP/1.1 client, 64 keep-alive
  connections, requests signed beforehand: the ceiling of the receiving side;
- ``sender_alone``: the same, sent by the dispatcher's own sender (``sharing.sending``: aiohttp, the
  same connections and limits), bodies built and signed beforehand, no database: the ceiling of
  the sending side;
- ``dispatch_backlog``: N events in the outbox, then 1, 2, .. ``--dispatchers`` processes each
  running ``dispatch.run(once=True)`` (``opcert dispatch --once``) on them: deliveries per second
  from the first arrival to the last recorded outcome (target >= 1,000 on 2 cores);
- ``dispatch_latency``: events emitted at a steady rate (by default 1,000 a second, the target)
  by another process, as the acts are, while the dispatchers run; act (the emitting transaction's
  time) -> verified arrival at the receiver, p50/p99 (target p99 < 2 s).

    .venv/bin/python bench/dispatch.py                       # PostgreSQL, 10,000 events
    .venv/bin/python bench/dispatch.py --backend sqlite --quick
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sharing_receiver import Receiver, running

from bench.common import emit, fresh_platform, machine, percentiles
from opcert.bootstrap import Platform
from opcert.services.sharing import dispatch
from opcert.services.sharing.events import NewEvent
from opcert.services.sharing.events import emit as emit_events
from opcert.services.sharing.sending import Job, Sender
from opcert.services.sharing.sharing_list import CERTIFICATE_PREFIX
from opcert.services.sharing.subscribers import NewSubscriber, add_subscriber, set_active
from opcert.services.sharing.webhooks import Signer

ISSUED = CERTIFICATE_PREFIX + "issued"
CONCURRENCY = 64


def events(count: int, start: int, at: datetime) -> list[NewEvent]:
    out = []
    for n in range(start, start + count):
        number = f"T440402{19800101 + n % 28:08d}{n % 10000:04d}"
        data = {
            "event": "issued", "number": number, "name": "测试员", "sex": "男",
            "category": "电工作业", "item": "低压电工作业", "status": "valid",
            "first_issued_on": "2026-11-20", "valid_from": "2026-11-20",
            "valid_to": "2032-11-20", "authority": "珠海市应急管理局", "id_number": number[1:],
        }  # fmt: skip
        out.append(NewEvent(ISSUED, number, "440402", at, data, id_number=number[1:]))
    return out


def publish(platform: Platform, count: int, start: int = 0) -> None:
    ctx = platform.ctx
    for offset in range(0, count, 1000):
        with ctx.uow() as uow:
            uow.begin_write()
            emit_events(uow, events(min(1000, count - offset), start + offset, ctx.now()))
            uow.commit()


def subscriber(platform: Platform, receiver: Receiver, code: str, signing: str) -> str:
    """The one active subscriber from now on (the earlier ones are disabled)."""
    ctx = platform.ctx
    for other in {row["code"] for row in dispatch.status(ctx) if row["active"]}:
        set_active(ctx, other, False, "bench: next phase", actor="bench")
    fields = ["number", "name", "item", "status", "valid_to", "authority"]
    new = NewSubscriber(code, code, receiver.hook_url(code), [ISSUED], fields, ["000000"], signing)
    registered = add_subscriber(ctx, ctx.sharing_config(), new, actor="bench")
    receiver.set(code, secret=registered.secret)
    return registered.secret or ""


async def _raw_client(port: int, requests: list[bytes], connections: int) -> float:
    async def one_connection(mine: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in mine:
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
        writer.close()

    begin = time.perf_counter()
    await asyncio.gather(*(one_connection(requests[k::connections]) for k in range(connections)))
    return len(requests) / (time.perf_counter() - begin)


def _run(coroutine: Coroutine[Any, Any, float]) -> float:
    """On the event loop the dispatcher runs on (uvloop where installed)."""
    with asyncio.Runner(loop_factory=dispatch.event_loop_factory()) as runner:
        return runner.run(coroutine)


def signed_jobs(receiver: Receiver, code: str, secret: str, count: int) -> list[Job]:
    from standardwebhooks import Webhook

    signer = Signer(secrets=(Webhook(secret),))
    body_of = '{{"specversion":"1.0","id":"raw-{n}","source":"bench","type":"t","data":{{}}}}'
    return [
        Job(n, 0, datetime.now(UTC), datetime.now(UTC), 1, code, f"s{n}", f"raw-{n}",
            receiver.hook_url(code), body_of.format(n=n).encode(), signer, float("inf"))
        for n in range(count)
    ]  # fmt: skip


def raw_limits(platform: Platform, receiver: Receiver, count: int) -> None:
    secret = subscriber(platform, receiver, "RAW", "hmac")
    jobs = signed_jobs(receiver, "RAW", secret, count)
    requests = []
    for job in jobs:
        assert job.signer is not None
        headers = job.signer.headers(job.event_id, job.body)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        requests.append(
            f"POST /hooks/RAW HTTP/1.1\r\nhost: x\r\ncontent-length: {len(job.body)}\r\n{head}\r\n"
            .encode() + job.body
        )  # fmt: skip
    port = int(receiver.url.rsplit(":", 1)[1])
    alone = _run(_raw_client(port, requests, CONCURRENCY))
    emit({"bench": "receiver_alone", "requests": count, "verified_per_second": round(alone)})

    async def with_sender() -> float:
        sender = Sender(concurrency=CONCURRENCY, per_subscriber=CONCURRENCY, timeout=10)
        queue = list(reversed(jobs))

        async def lane() -> None:  # as many lanes as connections: no pile of waiting tasks
            while queue:
                outcomes = await sender.run([queue.pop()])
                assert outcomes[0].kind == "delivered", outcomes[0]

        begin = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
        took = time.perf_counter() - begin
        await sender.aclose()
        return len(jobs) / took

    sent = _run(with_sender())
    rejected = len(receiver.got("RAW")["rejected"])
    emit(
        {
            "bench": "sender_alone",
            "requests": count,
            "per_second": round(sent),
            "rejected": rejected,
        }
    )


def _dispatcher(data_dir: str, url: str, once: bool, stop: Any, results: Any) -> None:
    """One dispatcher process (``opcert dispatch``, or with ``once`` ``--once``); puts its counts
    and CPU seconds into ``results``."""
    from opcert.bootstrap import build
    from opcert.settings import Settings

    platform = build(Settings(data_dir=Path(data_dir), database_url=url))
    ctx = platform.ctx
    options = dispatch.DispatchOptions(concurrency=CONCURRENCY, per_subscriber=CONCURRENCY)
    begin = time.process_time()
    try:
        counts = dispatch.run(ctx, ctx.sharing_config(), once=once, stop=stop, options=options)
    finally:
        platform.close()
    results.put((counts, time.process_time() - begin))


class Dispatchers:
    """``count`` dispatcher processes sharing the outbox (``FOR UPDATE SKIP LOCKED``), as an
    operator runs them: one per core."""

    def __init__(self, platform: Platform, count: int, *, once: bool) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.stop = spawn.Event()
        self.results = spawn.Queue()
        settings = platform.settings
        args = (str(settings.data_dir), settings.database_url, once, self.stop, self.results)
        self.processes = [spawn.Process(target=_dispatcher, args=args) for _ in range(count)]
        self.once = once

    def start(self) -> None:
        for process in self.processes:
            process.start()

    def finish(self) -> tuple[int, float]:
        """Stop them (a ``once`` run stops by itself) and wait for each one's result before
        joining it (a process with data in a queue is not joined before it is read); delivered,
        CPU seconds (all together)."""
        if not self.once:
            self.stop.set()
        delivered, cpu = 0, 0.0
        for _ in self.processes:
            counts, seconds = self.results.get(timeout=600)
            delivered, cpu = delivered + counts["delivered"], cpu + seconds
        for process in self.processes:
            process.join()
        return delivered, cpu


def backlog(platform: Platform, receiver: Receiver, count: int, dispatchers: int) -> None:
    code = f"BACKLOG{dispatchers}"
    subscriber(platform, receiver, code, "hmac")
    publish(platform, count)
    pool = Dispatchers(platform, dispatchers, once=True)
    started = time.perf_counter()
    pool.start()
    # Spawning and importing the platform is not dispatching: the clock starts at the first
    # arrival (a second or so after start) and stops when the processes have recorded all.
    while not receiver.got(code)["received"] and time.perf_counter() - started < 120:
        time.sleep(0.005)
    begin = time.perf_counter()
    delivered, cpu = pool.finish()  # each result arrives as its process ends; then joined
    took = time.perf_counter() - begin
    got = receiver.got(code)
    emit(
        {
            "bench": "dispatch_backlog",
            "backend": platform.engine.dialect.name,
            "dispatchers": dispatchers,
            "events": count,
            "delivered": delivered,
            "received_verified": len(got["received"]),
            "rejected": len(got["rejected"]),
            "deliveries_per_second": round(delivered / took, 1),
            "dispatcher_cpu_ms_per_delivery": round(cpu / count * 1000, 3),
            "target_per_second": 1000,
        }
    )


def _publisher(data_dir: str, url: str, rate: int, seconds: float, sent: Any) -> None:
    """In a process of its own, as the acts are in the web processes: ``rate`` events a second,
    a transaction every 50 ms, for ``seconds``; the count it wrote goes into ``sent``."""
    from opcert.bootstrap import build
    from opcert.settings import Settings

    platform = build(Settings(data_dir=Path(data_dir), database_url=url))
    count, tick, begin = 0, 0.05, time.perf_counter()
    try:
        while time.perf_counter() - begin < seconds:
            chunk = max(1, round(rate * tick))
            publish(platform, chunk, start=10_000_000 + count)
            count += chunk
            time.sleep(max(0.0, begin + count / rate - time.perf_counter()))
    finally:
        sent.value = count
        platform.close()


def latency(
    platform: Platform, receiver: Receiver, rate: int, seconds: float, dispatchers: int
) -> None:
    """Act -> verified arrival while events are emitted at ``rate`` by another process."""
    subscriber(platform, receiver, "LIVE", "hmac")
    pool = Dispatchers(platform, dispatchers, once=False)
    pool.start()
    time.sleep(3)  # the dispatchers start (spawn, imports) before the first act
    spawn = multiprocessing.get_context("spawn")
    sent = spawn.Value("q", 0)
    settings = platform.settings
    args = (str(settings.data_dir), settings.database_url, rate, seconds, sent)
    publisher = spawn.Process(target=_publisher, args=args)
    publisher.start()
    publisher.join()
    deadline = time.monotonic() + 120
    while len(receiver.got("LIVE")["received"]) < sent.value and time.monotonic() < deadline:
        time.sleep(0.5)
    pool.finish()
    got = receiver.got("LIVE")["received"]
    with platform.ctx.uow() as uow:
        emitted = {
            e.event_id: e.occurred_at.timestamp() for e in uow.sharing.events_after(0, 10**9)
        }
    samples = [one["at"] - emitted[one["id"]] for one in got if one["id"] in emitted]
    emit(
        {
            "bench": "dispatch_latency",
            "backend": platform.engine.dialect.name,
            "dispatchers": dispatchers,
            "offered_per_second": rate,
            "achieved_per_second": round(sent.value / seconds, 1),
            "events": sent.value,
            "received": len(got),
            **percentiles(samples),
            "target_p99_ms": 2000,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--rate", type=int, default=1000, help="events a second in the latency run (the target)"
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--dispatchers", type=int, default=2, help="processes at most (the backlog runs 1..N)"
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 2000 if args.quick else args.events
    emit({"bench": "machine", **machine()})
    with running() as receiver:
        platform = fresh_platform(args.backend, schema="opcert_bench_dispatch")
        try:
            raw_limits(platform, receiver, count)
            for dispatchers in range(1, args.dispatchers + 1):
                backlog(platform, receiver, count, dispatchers)
            seconds = 5 if args.quick else args.seconds
            latency(platform, receiver, args.rate, seconds, args.dispatchers)
        finally:
            platform.close()


if __name__ == "__main__":
    main()
