"""A real ``opcert serve`` process over the test's database, for what only a served process
shows: an event loop that keeps answering while uploads are read, the memory of the process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from opcert.bootstrap import Platform
from tests.e2e.conftest import _free_port, _wait_until_up

BIN = Path(sys.executable).parent


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]

    def rss_bytes(self) -> int:
        """Resident memory of the server process (its upload readers are other processes)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        assert found
        return int(found.group(1)) * 1024


@contextmanager
def served(platform: Platform) -> Iterator[Served]:
    """``opcert serve`` on a free port over ``platform``'s data directory and database."""
    env = {
        **os.environ,
        "OPCERT_DATA_DIR": str(platform.settings.data_dir),
        "OPCERT_DATABASE_URL": platform.settings.resolved_database_url,
        "OPCERT_ENV": "development",
        "OPCERT_WARM_STATUS_LISTS": "0",
    }
    env.pop("OPCERT_FAKE_NOW", None)
    port = _free_port()
    log = (platform.settings.data_dir / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "opcert"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Served(url, process)
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def institution_session(url: str, username: str, password: str) -> httpx.Client:
    """A client logged in to the institution pages. The one place that knows how an exam
    institution logs in on the web: a web user's username and password (never the API key)."""
    client = httpx.Client(base_url=url, timeout=120)
    token = csrf_of(client.get("/institution/login").text)
    form = {"csrf_token": token, "username": username, "password": password}
    login = client.post("/institution/login", data=form)
    assert login.status_code == 303, login.text
    return client


def upload_results(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    token = csrf_of(client.get("/institution/upload").text)
    return client.post(
        "/institution/upload",
        data={"csrf_token": token},
        files={"file": (name, data, "application/octet-stream")},
    )


def upload_photo(url: str, png: bytes) -> httpx.Response:
    """The anonymous QR photo check of the verify page."""
    with httpx.Client(base_url=url, timeout=120) as client:
        token = csrf_of(client.get("/verify").text)
        return client.post(
            "/verify",
            data={"csrf_token": token},
            files={"photo": ("qr.png", png, "image/png")},
        )
