"""A webhook dispatcher in a process of its own, for the tests that kill one, run two at once or
cut its database connections (``opcert dispatch`` is not a CLI command yet).

    python -m tests.integration.sharing_dispatcher WORKER LEASE_SECONDS

The platform comes from the ``OPCERT_*`` environment, as ``opcert serve`` reads it. SIGTERM stops
it after the requests in flight are answered and recorded; it then prints its counts as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from opcert.bootstrap import Platform, build
from opcert.services.sharing import dispatch
from opcert.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    worker, lease = sys.argv[1], float(sys.argv[2])
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    platform = build(Settings())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    options = dispatch.DispatchOptions(worker=worker, lease_seconds=lease)
    counts = dispatch.run(platform.ctx, platform.ctx.sharing_config(), stop=stop, options=options)
    print(json.dumps(counts), flush=True)


def start(
    platform: Platform,
    worker: str,
    *,
    lease: float = 30.0,
    timeout: float = 5.0,
    database_url: str | None = None,
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start a dispatcher over ``platform``'s database and keys; (process, its log file)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPCERT_DATA_DIR": str(platform.settings.data_dir),
        "OPCERT_DATABASE_URL": database_url or platform.settings.resolved_database_url,
        "OPCERT_ENV": "development",
        "OPCERT_WEBHOOK_TIMEOUT_SECONDS": str(timeout),
    }
    env.pop("OPCERT_FAKE_NOW", None)
    log = platform.settings.data_dir / f"dispatcher-{worker}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.sharing_dispatcher", worker, str(lease)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, log


if __name__ == "__main__":
    main()
