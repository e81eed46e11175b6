"""/verify on emulated slow 3G (400 kbit/s down and up, 400 ms RTT; CDP
Network.emulateNetworkConditions in Debian's Chromium), beside the unthrottled load.

The figures are written to test-artifacts/verify-page-load.json and recorded in
docs/performance.md; the test asserts what makes them small rather than a time (no timing
assertions): every text response is gzip-compressed, the QR decoder is not fetched, and what
the page fetches before its load event fits a byte budget that slow 3G carries in well under 2 s.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms, round trip
    "downloadThroughput": 400 * 1000 / 8,  # bytes per second
    "uploadThroughput": 400 * 1000 / 8,
}
BUDGET_BYTES = 40_000  # 0.8 s at 400 kbit/s; the rest of 2 s is round trips
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource")
    .filter((r) => r.startTime < nav.loadEventEnd)
    .map((r) => ({ name: new URL(r.name).pathname, bytes: r.transferSize, encoded: r.encodedBodySize,
                   decoded: r.decodedBodySize }));
  return { load_ms: Math.round(nav.loadEventEnd), dom_ms: Math.round(nav.domContentLoadedEventEnd),
           html_bytes: nav.transferSize, resources };
}"""


def measure(browser, url: str, throttled: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        requested: list[str] = []
        encodings: dict[str, str] = {}
        page.on("request", lambda request: requested.append(request.url))

        def seen(response: Any) -> None:
            encodings[response.url] = response.headers.get("content-encoding", "")

        page.on("response", seen)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if throttled:
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        page.goto(url + "/verify", wait_until="load", timeout=60_000)
        timing = page.evaluate(TIMING)
        if page.locator("#offline").count():  # the offline verifier ready (lists fetched, checked)
            page.wait_for_selector("#offline[data-loaded='yes']", state="attached", timeout=60_000)
            timing["offline_ready_ms"] = round(page.evaluate("performance.now()"))
        timing["requested_before_load"] = [r["name"] for r in timing["resources"]]
        timing["all_requested"] = requested
        timing["encodings"] = encodings
        return timing
    finally:
        context.close()


def test_the_verify_page_is_small_compressed_and_loads_no_qr_decoder(browser, server):
    url, _ = server
    fast = measure(browser, url, throttled=False)
    slow = measure(browser, url, throttled=True)
    out = ROOT / "test-artifacts" / "verify-page-load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "unthrottled": {k: fast[k] for k in ("load_ms", "dom_ms", "offline_ready_ms")},
        "slow_3g": {k: slow[k] for k in ("load_ms", "dom_ms", "offline_ready_ms")},
        "bytes_before_load": slow["html_bytes"] + sum(r["bytes"] for r in slow["resources"]),
        "resources_before_load": slow["resources"],
    }
    out.write_text(json.dumps(figures, indent=2), "utf-8")
    print(json.dumps(figures["unthrottled"]), json.dumps(figures["slow_3g"]))

    assert not any("jsQR" in name for name in slow["all_requested"])
    page_and_text = [
        u
        for u in slow["encodings"]
        if u.endswith("/verify") or u.endswith(".js") or u.endswith(".css")
    ]
    assert page_and_text and all(slow["encodings"][u] == "gzip" for u in page_and_text), slow[
        "encodings"
    ]
    assert figures["bytes_before_load"] < BUDGET_BYTES, figures
