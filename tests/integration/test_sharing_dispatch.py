"""Webhook delivery to a real receiver (a uvicorn process that verifies every signature the way a
subscriber would), on SQLite and PostgreSQL. Every test ends with no event lost and every event
received verified; those that kill, double or disconnect a dispatcher run it in its own process.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from opcert.domain.clock import SystemClock
from opcert.persistence.models import Delivery, LedgerEntry, Subscriber
from opcert.services.sharing import dispatch
from opcert.services.sharing.dispatch import DispatchOptions
from opcert.services.sharing.events import NewEvent, emit
from opcert.services.sharing.recording import Backoff
from opcert.services.sharing.sharing_list import CERTIFICATE_PREFIX
from opcert.services.sharing.subscribers import NewSubscriber, add_subscriber
from opcert.services.sharing.webhooks import webhook_public_key
from tests.integration import sharing_dispatcher
from tests.sharing_receiver import Receiver, running

ISSUED = CERTIFICATE_PREFIX + "issued"
TYPES = [CERTIFICATE_PREFIX + e for e in ("issued", "suspended", "reinstated", "revoked")]
NUMBERS = ["number", "name", "status", "valid_to"]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as served:
        yield served


@pytest.fixture
def live(ctx):  # type: ignore[no-untyped-def]
    """The test's platform on the real clock: for dispatchers in other processes, whose leases
    and attempts are on the real clock."""
    return replace(ctx, clock=SystemClock())


def subscribe(ctx, receiver: Receiver, *, signing: str = "hmac", fields=NUMBERS) -> str:  # type: ignore[no-untyped-def]
    """A subscriber of every event type of the tests, all regions; its hook told its key."""
    code = f"S{uuid.uuid4().hex[:10]}"
    config = ctx.sharing_config()
    new = NewSubscriber(
        code, f"订阅方{code}", receiver.hook_url(code), TYPES, list(fields), ["000000"], signing
    )
    registered = add_subscriber(ctx, config, new, actor="test")
    if signing == "hmac":
        receiver.set(code, secret=registered.secret)
    else:
        receiver.set(code, public_key=webhook_public_key(config))
    return code


def publish(ctx, count: int, *, subjects: int | None = None, kinds=TYPES[:1]) -> list[str]:  # type: ignore[no-untyped-def]
    """``count`` events in the outbox as acts write them, ``ctx.now()`` their time; round-robin
    over ``subjects`` certificates (a new one each by default) and over ``kinds``."""
    now = ctx.now()
    events = []
    for n in range(count):
        number = f"T44040219900101{(n % subjects if subjects else n):04d}"
        kind = kinds[n % len(kinds)]
        data = {"event": kind.rsplit(".", 1)[1], "number": number, "name": "张三", "status": "valid",
                "valid_to": "2032-11-20", "id_number": number[1:]}  # fmt: skip
        events.append(NewEvent(kind, number, "440402", now, data, id_number=number[1:]))
    with ctx.uow() as uow:
        uow.begin_write()
        rows = emit(uow, events)
        uow.commit()
    return [row.event_id for row in rows]


def states(ctx, code: str) -> Counter[str]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        query = (
            select(Delivery.state)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Subscriber.code == code)
        )
        return Counter(uow.session.scalars(query))


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)  # polling other processes


def all_verified(receiver: Receiver, code: str, sent: list[str]) -> list[str]:
    """What ``code``'s hook received: every event sent, each verified; the ids in arrival order."""
    got = receiver.got(code)
    assert got["rejected"] == []
    ids = [one["id"] for one in got["received"]]
    assert set(ids) == set(sent), f"{len(set(sent) - set(ids))} events lost"
    return ids


def test_both_key_forms_are_verified_by_a_real_receiver(ctx, receiver):
    hmac_code = subscribe(ctx, receiver)
    ed_code = subscribe(ctx, receiver, signing="ed25519", fields=[*NUMBERS, "id_number"])
    sent = publish(ctx, 20)

    counts = dispatch.run(ctx, ctx.sharing_config(), once=True)

    assert counts["delivered"] == 40
    assert all_verified(receiver, hmac_code, sent) and all_verified(receiver, ed_code, sent)
    masked = receiver.got(hmac_code)["received"][0]
    assert masked["subject"].startswith("T440402********") and "id_number" not in masked["data"]
    assert receiver.got(ed_code)["received"][0]["data"]["id_number"].startswith("440402")
    assert states(ctx, hmac_code) == states(ctx, ed_code) == Counter(delivered=20)
    figures = {one["code"]: one for one in dispatch.status(ctx)}
    assert figures[hmac_code]["pending"] == figures[ed_code]["dead"] == 0


def test_a_failing_receiver_is_retried_with_growing_delays_until_dead_after_24_hours(
    ctx, clock, receiver
):
    code = subscribe(ctx, receiver)
    receiver.set(code, fail_until=time.time() + 3600)
    sent = publish(ctx, 1)
    config, options = ctx.sharing_config(), DispatchOptions(idle_seconds=0.01)
    first = clock.now()
    delays = []
    while states(ctx, code) == Counter(pending=1):
        assert dispatch.run(ctx, config, once=True, options=options)["delivered"] == 0
        with ctx.uow() as uow:
            row = uow.session.scalars(select(Delivery)).one()
            uow.session.expunge(row)
        delays.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.set(max(row.next_attempt_at, clock.now()))

    assert states(ctx, code) == Counter(dead=1)
    assert clock.now() - first >= timedelta(hours=24)
    assert max(delays[:5]) <= 16 and max(delays) <= 3600  # 1 s doubling, at most an hour a step
    assert row.last_status == 503 and 24 <= row.attempts <= 150
    # An operator sends it again once the receiver is back: it arrives, and the ledger says who.
    receiver.set(code, fail_until=0)
    dispatch.redeliver(ctx, event_id=sent[0], subscriber=code, actor="officer:ops")
    assert dispatch.run(ctx, config, once=True)["delivered"] == 1
    assert all_verified(receiver, code, sent) == sent
    with ctx.uow() as uow:
        kinds = uow.session.scalars(select(LedgerEntry.kind)).all()
    assert "delivery.redelivered" in kinds


@pytest.mark.slow
def test_a_receiver_answering_503_for_60_seconds_gets_every_event_after_it_recovers(live, receiver):
    code = subscribe(live, receiver)
    recovers = time.time() + 60
    receiver.set(code, fail_until=recovers)
    sent = publish(live, 30)
    options = DispatchOptions(backoff=Backoff(base_seconds=1, cap_seconds=8))
    stop = threading.Event()
    worker = threading.Thread(
        target=dispatch.run,
        args=(live, live.sharing_config()),
        kwargs={"stop": stop, "options": options},
    )
    worker.start()
    try:
        wait_for(
            lambda: len(receiver.got(code)["received"]) >= 30, 150, "all events after recovery"
        )
    finally:
        stop.set()
        worker.join(30)

    got = receiver.got(code)
    assert got["refused"] >= 30 and min(one["at"] for one in got["received"]) >= recovers
    assert sorted(all_verified(receiver, code, sent)) == sorted(sent)  # each once
    assert states(live, code) == Counter(delivered=30)


def test_a_dispatcher_killed_mid_batch_leaves_the_rest_to_another_after_its_lease(
    platform, live, receiver
):
    code = subscribe(live, receiver)
    receiver.set(code, delay=0.2)
    sent = publish(live, 200)
    process, _ = sharing_dispatcher.start(platform, "doomed", lease=10, timeout=2)
    try:
        wait_for(lambda: len(receiver.ids(code)) >= 20, 60, "the first deliveries")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    receiver.set(code, delay=0)
    with live.uow() as uow:
        held = uow.session.execute(
            select(Delivery.id, Delivery.lease_until).where(
                Delivery.state == "pending", Delivery.claimed_by == "doomed"
            )
        ).all()
    assert held, "killed with nothing in hand"
    config = live.sharing_config()

    if live.now() < min(until for _, until in held) - timedelta(seconds=1):
        dispatch.run(live, config, once=True)  # its leases still hold: none of them is taken
        assert states(live, code)["pending"] >= len(held)
    wait_for(lambda: live.now() > max(until for _, until in held), 30, "the leases to run out")
    dispatch.run(live, config, once=True)

    ids = all_verified(receiver, code, sent)
    assert len(ids) - len(set(ids)) <= 64  # at most the requests in flight when it died, twice
    assert states(live, code) == Counter(delivered=200)


def test_two_dispatchers_at_once_never_send_an_event_twice(platform, live, receiver):
    code = subscribe(live, receiver)
    receiver.set(code, delay=0.05)
    sent = publish(live, 1000)
    workers = [sharing_dispatcher.start(platform, name) for name in ("one", "two")]
    try:
        wait_for(lambda: len(receiver.ids(code)) >= 1000, 180, "1000 deliveries")
        wait_for(lambda: states(live, code) == Counter(delivered=1000), 30, "all recorded")
        assert all(process.poll() is None for process, _ in workers)  # both alive throughout
    finally:
        for process, _ in workers:
            process.terminate()
            process.wait(30)

    ids = all_verified(receiver, code, sent)
    assert len(ids) == len(set(ids)) == 1000
    with live.uow() as uow:
        by = Counter(uow.session.scalars(select(Delivery.claimed_by)))
    assert set(by) == {"one", "two"}, by


def test_the_dispatcher_carries_on_when_its_database_connections_are_cut(platform, live, receiver):
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    code = subscribe(live, receiver)
    receiver.set(code, delay=0.5)  # some 60 a second: the cuts fall while it works
    sent = publish(live, 400)
    name = f"opcert-dispatch-{os.getpid()}"
    url = platform.settings.resolved_database_url + f"&application_name={name}"
    process, log = sharing_dispatcher.start(platform, "cut", database_url=url)
    admin = create_engine(
        os.environ.get(
            "OPCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    )
    cut = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"
    )
    cuts = 0
    try:
        wait_for(lambda: len(receiver.ids(code)) >= 20, 60, "the first deliveries")
        while len(receiver.ids(code)) < 300:  # cut its connections, idle or busy, ten a second
            with admin.begin() as connection:
                cuts += connection.execute(cut, {"n": name}).scalar_one()
            time.sleep(0.1)
        wait_for(lambda: states(live, code) == Counter(delivered=400), 90, "all recorded")
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(30)
        admin.dispose()

    assert cuts >= 3
    ids = all_verified(receiver, code, sent)
    assert len(ids) == len(set(ids)) == 400


def test_a_410_disables_the_subscription_and_its_pending_deliveries_die(ctx, receiver):
    gone = subscribe(ctx, receiver)
    other = subscribe(ctx, receiver)
    receiver.set(gone, gone=True)
    sent = publish(ctx, 5)

    counts = dispatch.run(ctx, ctx.sharing_config(), once=True)

    assert counts["disabled"] == 1 and counts["delivered"] == 5
    assert states(ctx, gone) == Counter(dead=5) and states(ctx, other) == Counter(delivered=5)
    assert all_verified(receiver, other, sent)
    with ctx.uow() as uow:
        row = uow.sharing.subscriber(gone)
        assert row is not None and not row.active and "410" in (row.disabled_reason or "")
        kinds = uow.session.scalars(
            select(LedgerEntry.kind)
            .where(LedgerEntry.subject == f"subscriber:{gone}")
            .order_by(LedgerEntry.seq)
        ).all()
    assert kinds == ["subscriber.added", "subscriber.disabled"]
    assert publish(ctx, 1) and states(ctx, gone) == Counter(dead=5)  # no new deliveries to it


def test_a_slow_receiver_is_cut_by_the_timeout_and_does_not_hold_up_another_subscriber(
    ctx, receiver
):
    slow, fast = subscribe(ctx, receiver), subscribe(ctx, receiver)
    receiver.set(slow, delay=30)
    sent = publish(ctx, 12)
    config = replace(ctx.sharing_config(), timeout_seconds=2)
    options = DispatchOptions(concurrency=8, per_subscriber=4, lease_seconds=60)
    started = time.time()

    counts = dispatch.run(ctx, config, once=True, options=options)

    took = time.time() - started
    assert counts["delivered"] == 12 and counts["failed"] == 12 and took < 20
    assert max(one["at"] for one in receiver.got(fast)["received"]) - started < 2
    assert all_verified(receiver, fast, sent)
    with ctx.uow() as uow:
        errors = set(
            uow.session.scalars(select(Delivery.last_error).where(Delivery.state == "pending"))
        )
    assert errors == {"timeout after 2 s"}
    assert states(ctx, slow) == Counter(pending=12)


def test_each_subject_reaches_a_subscriber_in_event_order(ctx, clock, receiver):
    code = subscribe(ctx, receiver)
    receiver.set(code, fail_until=time.time() + 3600)
    sent = publish(ctx, 40, subjects=5, kinds=TYPES)
    config = ctx.sharing_config()

    first = dispatch.run(ctx, config, once=True)  # only each subject's first event is tried
    assert first["failed"] == 5 and first["released"] == 35  # the rest of each run, untried
    receiver.set(code, fail_until=0)
    clock.advance(timedelta(hours=1))
    assert dispatch.run(ctx, config, once=True)["delivered"] == 40

    received = receiver.got(code)["received"]
    order = {event_id: n for n, event_id in enumerate(sent)}
    for subject in {one["subject"] for one in received}:
        mine = [order[one["id"]] for one in received if one["subject"] == subject]
        assert mine == sorted(mine) and len(mine) == 8
    assert sorted(all_verified(receiver, code, sent)) == sorted(sent)
