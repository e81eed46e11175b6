"""A real webhook receiver for the data-sharing tests and the benchmark: a small Starlette app
that tests start with uvicorn in a subprocess (``Receiver``).

Every ``POST /hooks/{name}`` is verified the way a subscriber would: ``v1`` with
``standardwebhooks.Webhook(secret).verify`` and ``v1a`` with ``webhooks.verify_v1a`` and the
platform's ``whpk_`` key. A verified event is recorded (its id, subject, type and arrival time);
a request that fails verification is recorded as rejected and answered 400.

What a hook answers is set through ``PUT /control/{name}``: its secret or public key, 503 until a
Unix time (``fail_until``), 410 Gone (``gone``), or a delay before answering (``delay``).
``GET /received/{name}`` returns what it got.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from opcert.services.sharing.webhooks import verify_v1a

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Hook:
    secret: str | None = None
    public_key: str | None = None
    fail_until: float = 0.0
    fail_status: int = 503
    gone: bool = False
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    refused: int = 0  # requests answered with a failure status on purpose
    active: int = 0
    most_active: int = 0


HOOKS: dict[str, Hook] = {}


def _verify(hook: Hook, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    if hook.secret:
        parsed: dict[str, Any] = Webhook(hook.secret).verify(body, headers)
        return parsed
    if hook.public_key:
        verify_v1a(hook.public_key, body, headers)
        loaded: dict[str, Any] = json.loads(body)
        return loaded
    raise WebhookVerificationError("no key configured for this hook")


async def receive(request: Request) -> Response:
    hook = HOOKS.setdefault(request.path_params["name"], Hook())
    body = await request.body()
    hook.active += 1
    hook.most_active = max(hook.most_active, hook.active)
    try:
        if hook.delay:
            await asyncio.sleep(hook.delay)
        try:
            event = _verify(hook, body, dict(request.headers))
        except (WebhookVerificationError, ValueError) as error:
            hook.rejected.append(str(error))
            return JSONResponse({"error": str(error)}, status_code=400)
        if hook.gone:
            hook.refused += 1
            return Response(status_code=410)
        if time.time() < hook.fail_until:
            hook.refused += 1
            return Response(status_code=hook.fail_status)
        if event.get("id") != request.headers.get("webhook-id"):
            hook.rejected.append("webhook-id differs from the event id")
            return JSONResponse({"error": "id"}, status_code=400)
        hook.received.append(
            {
                "id": event["id"],
                "subject": event.get("subject"),
                "type": event.get("type"),
                "data": event.get("data"),
                "at": time.time(),
            }
        )
        return Response(status_code=204)
    finally:
        hook.active -= 1


async def control(request: Request) -> Response:
    hook = HOOKS.setdefault(request.path_params["name"], Hook())
    for key, value in (await request.json()).items():
        setattr(hook, key, value)
    return JSONResponse({"ok": True})


async def received(request: Request) -> Response:
    hook = HOOKS.setdefault(request.path_params["name"], Hook())
    return JSONResponse(
        {
            "received": hook.received,
            "rejected": hook.rejected,
            "refused": hook.refused,
            "most_active": hook.most_active,
        }
    )


async def healthz(_: Request) -> Response:
    return Response("ok")


app = Starlette(
    routes=[
        Route("/hooks/{name}", receive, methods=["POST"]),
        Route("/control/{name}", control, methods=["PUT"]),
        Route("/received/{name}", received, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
)


# Running it --------------------------------------------------------------------------------
@dataclass
class Receiver:
    url: str
    process: subprocess.Popen[bytes]

    def hook_url(self, name: str) -> str:
        return f"{self.url}/hooks/{name}"

    def set(self, name: str, **settings: Any) -> None:
        httpx.put(f"{self.url}/control/{name}", json=settings, timeout=10).raise_for_status()

    def got(self, name: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.url}/received/{name}", timeout=60)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def ids(self, name: str) -> list[str]:
        return [one["id"] for one in self.got(name)["received"]]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(log: Path | None = None) -> Iterator[Receiver]:
    """The receiver in a uvicorn subprocess on a free port of 127.0.0.1."""
    port = free_port()
    out = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "tests.sharing_receiver:app",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            "--log-level", "warning", "--timeout-keep-alive", "30",
            "--timeout-graceful-shutdown", "2",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=out,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Receiver(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if log:
            out.close()  # type: ignore[union-attr]


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the receiver exited during start-up")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling the receiver's start-up
    raise RuntimeError("the receiver did not start")
