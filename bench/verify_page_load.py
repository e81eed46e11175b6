"""/verify's load time in Debian's Chromium, unthrottled and on emulated slow 3G (400 kbit/s,
400 ms RTT), against a running server: ``python bench/verify_page_load.py http://127.0.0.1:8000``.

Three cold loads each (no HTTP cache, no service worker); prints one JSON object. The e2e test
tests/e2e/test_verify_page_load.py measures the same way against its live server.
"""

from __future__ import annotations

import json
import statistics
import sys

from playwright.sync_api import sync_playwright
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_verify_page_load import measure

RUNS = 3


def main(url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        out: dict[str, object] = {"url": url}
        for name, throttled in (("unthrottled", False), ("slow_3g", True)):
            runs = [measure(browser, url, throttled) for _ in range(RUNS)]
            out[name] = {
                "load_ms": [r["load_ms"] for r in runs],
                "load_ms_median": statistics.median(r["load_ms"] for r in runs),
                "bytes_before_load": runs[0]["html_bytes"]
                + sum(r["bytes"] for r in runs[0]["resources"]),
            }
        browser.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
