"""The server builds every status list in the background, so online checks never wait for one."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from opcert.domain.clock import SHANGHAI
from opcert.services.kernel.statuslists import keep_warm, warm
from opcert.services.synth import synthesise


def _list_ids(ctx) -> set[str]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return {row.list_id for row in uow.certificates.all_status_lists()}


def test_warming_builds_every_status_list_of_the_platform(ctx) -> None:  # type: ignore[no-untyped-def]
    synthesise(ctx, 0.0001, seed=3)
    lists = _list_ids(ctx)
    assert len(lists) > 10
    assert ctx.status_lists.warm_lists(ctx.now()) == set()
    assert warm(ctx) == len(lists)
    assert ctx.status_lists.warm_lists(ctx.now()) == lists


def test_healthz_tells_how_far_the_warmer_of_this_process_got(ctx, client) -> None:  # type: ignore[no-untyped-def]
    synthesise(ctx, 0.0001, seed=3)
    assert client.get("/healthz").json() == {"status": "ok"}  # no warmer in this process
    total = warm(ctx)
    assert client.get("/healthz").json() == {
        "status": "ok",
        "status_lists": {"built": total, "total": total, "warm": True},
    }


def test_before_order_19_the_warmer_builds_again_each_day_and_stops_when_asked(ctx, clock) -> None:  # type: ignore[no-untyped-def]
    synthesise(ctx, 0.0001, seed=3)
    lists = _list_ids(ctx)
    clock.set(datetime(2026, 5, 20, 9, 0, tzinfo=SHANGHAI))  # reviews could still fall due
    stop = threading.Event()
    warmer = threading.Thread(target=keep_warm, args=(ctx, stop, 0.01), daemon=True)
    warmer.start()
    try:
        _wait_for(lambda: ctx.status_lists.warm_lists(ctx.now()) == lists)
        clock.set(clock.now() + timedelta(days=1))
        assert ctx.status_lists.warm_lists(ctx.now()) == set()  # a review may have lapsed
        _wait_for(lambda: ctx.status_lists.warm_lists(ctx.now()) == lists)
    finally:
        stop.set()
        warmer.join(timeout=10)
    assert not warmer.is_alive()


def test_after_order_19_a_new_day_leaves_unchanged_lists_as_they_were(ctx, clock) -> None:  # type: ignore[no-untyped-def]
    synthesise(ctx, 0.0001, seed=3)
    warm(ctx)
    clock.set(clock.now() + timedelta(days=1))
    assert ctx.status_lists.warm_lists(ctx.now()) == _list_ids(ctx)


def _wait_for(condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the warmer did not finish in time"
        time.sleep(0.02)
