"""A live server (uvicorn in a subprocess, temp data dir, `opcert init` + seed) and Debian's
Chromium driven by Playwright. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.seed import Seeded, seed

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling the server's start-up, not waiting in a test
    raise RuntimeError("the server did not start")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {**os.environ, "OPCERT_DATA_DIR": str(data_dir), "OPCERT_ENV": "development"}
    env.pop("OPCERT_DATABASE_URL", None)
    env.pop("OPCERT_FAKE_NOW", None)
    subprocess.run([str(BIN / "opcert"), "init"], env=env, check=True, capture_output=True)
    seeded = seed(data_dir)
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "opcert"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url, seeded
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server[0], viewport={"width": 360, "height": 780}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    # Every journey doubles as a check of the Content-Security-Policy: Chromium reports what the
    # policy blocked (an inline script or style, a foreign origin) on the console.
    blocked: list[str] = []
    opened.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    context.close()
    assert blocked == [], f"the page policy blocked something: {blocked}"


def screenshot(page, name: str, axe: bool = True) -> None:  # type: ignore[no-untyped-def]
    """The page as it is now, at 360 px and at desktop width, each checked by axe-core: a page
    with any accessibility violation fails the test that screenshots it. ``axe=False`` only for
    a context with JavaScript turned off, where axe cannot run (its evaluation never returns);
    the same page with JavaScript is checked by another screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: list[str] = []
    for width, height, suffix in ((360, 780, "360"), (1280, 900, "desktop")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{suffix}.png"), full_page=True)
        if axe:
            found += [f"[{suffix}] {line}" for line in axe_violations(page)]
    page.set_viewport_size({"width": 360, "height": 780})
    assert found == [], f"axe-core on {name} ({page.url}):\n" + "\n".join(found)


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await window.axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page as it is now (every rule but the experimental ones),
    one line each: rule id, impact, help, the elements. axe is evaluated through the DevTools
    protocol, which the page's Content-Security-Policy does not govern, so the policy stays on."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    violations = page.evaluate(AXE_RUN)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['targets'])}" for v in violations
    ]
