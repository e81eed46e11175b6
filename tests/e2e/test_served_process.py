"""The served process itself (``opcert serve``), without a browser: what operators and load
balancers read from it."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_healthz_of_a_served_process_says_when_its_status_lists_are_warm(server):
    url, _ = server
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(url + "/healthz", timeout=5).json()
        assert body["status"] == "ok"
        progress = body["status_lists"]  # present from the first answer: the warmer runs
        if progress["warm"]:
            break
        assert time.monotonic() < deadline, f"status lists not warm after 30 s: {progress}"
        time.sleep(0.1)
    assert progress["built"] == progress["total"] >= 1
