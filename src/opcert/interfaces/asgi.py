"""ASGI entry point for ``uvicorn --factory`` and several workers: each process builds its own
platform from the environment."""

from __future__ import annotations

import sys
import threading

from fastapi import FastAPI

from opcert.bootstrap import build
from opcert.interfaces import log_privacy
from opcert.interfaces.api.app import create_app
from opcert.services.kernel.statuslists import keep_warm
from opcert.settings import ProductionRefused


def create() -> FastAPI:
    log_privacy.install()  # before anything logs: ID numbers masked, names removed
    try:
        platform = build()
    except ProductionRefused as refused:
        # One line, no traceback: uvicorn reports a factory's exception with its traceback.
        print(f"错误 / error: {refused.line()}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    app = create_app(platform)
    if platform.settings.warm_status_lists:
        # Each process (uvicorn calls this factory in every worker) builds every status list in
        # a daemon thread at start and when the day changes, so online checks do not wait for a
        # list build. OPCERT_WARM_STATUS_LISTS=0 turns it off.
        platform.ctx.status_lists.expect_warmer()  # /healthz: warming from the start
        threading.Thread(
            target=keep_warm,
            args=(platform.ctx, threading.Event()),
            name="status-list-warmer",
            daemon=True,
        ).start()
    return app
