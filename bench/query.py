"""Public query and verify API under concurrent load, against ``opcert serve --workers 2``.

    .venv/bin/python bench/synth.py --runs sqlite:0.01 --keep /tmp/opcert-s001
    .venv/bin/python bench/query.py --data-dir /tmp/opcert-s001        # 20 s per figure
    .venv/bin/python bench/query.py --quick --scale 0.002 --connections 4   # builds its own data

Each figure is measured ``--repeat`` times (2 by default) on the same server: maximum throughput
of the public query and of the verify API at ``--connections``, then the public query paced at
``--rate`` requests/s (500 by default, the issue's target) to read its p99 at that load.

The load comes from ``wrk`` (Debian package) in a separate process, Lua scripts in
``bench/wrk/``. Raw limits measured in the same run: ``GET /healthz`` through the same server
(the HTTP stack alone) and a bare ``SELECT`` by primary key on the database (one connection).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench.common import emit, machine

BIN = Path(sys.executable).parent
WRK_DIR = Path(__file__).parent / "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(scale: float) -> Path:
    data = Path(tempfile.mkdtemp(prefix="opcert-query-"))
    env = {**os.environ, "OPCERT_DATA_DIR": str(data)}
    env.pop("OPCERT_DATABASE_URL", None)
    subprocess.run([BIN / "opcert", "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [BIN / "opcert", "synth", "--scale", str(scale), "--seed", "1",
         "--sample", str(data / "sample.csv")],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return data


def serve(data: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPCERT_DATA_DIR": str(data)}
    command = [BIN / "opcert", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


def wait_warm(port: int, timeout: float = 1800.0, in_a_row: int = 40) -> float | None:
    """Wait until ``/healthz`` says the status lists are warm ``in_a_row`` times running (each
    a new connection, so both worker processes answer some). Returns the ``perf_counter`` time
    of the first warm answer of that streak; None after ``timeout`` s, or at once when the
    server runs no warmer (``OPCERT_WARM_STATUS_LISTS=0``)."""
    begin = time.perf_counter()
    streak, since = 0, begin
    while streak < in_a_row:
        if time.perf_counter() - begin > timeout:
            return None
        asked = time.perf_counter()
        body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        if "status_lists" not in body:
            return None
        if body["status_lists"]["warm"]:
            since = since if streak else asked
            streak += 1
        else:
            streak = 0
        time.sleep(0.05 if streak else 0.2)
    return since


def peak_rss_mb(pid: int) -> float:
    """Sum of VmHWM (peak resident set) of the server process and its children."""
    pids, total = [pid], 0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(c) for c in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def wrk(script: str, port: int, seconds: int, connections: int, env: dict[str, str]) -> dict:
    threads = min(2, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
               "-s", str(WRK_DIR / script), f"http://127.0.0.1:{port}"]  # fmt: skip
    out = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:  # /healthz uses no script output
        return {"raw": out.stdout}
    result: dict = json.loads(line[4:])
    result["per_s"] = round(result["requests"] / result["seconds"])
    return result


def healthz_rate(port: int, seconds: int, connections: int) -> int:
    """Requests/s of ``GET /healthz``: the HTTP stack with no query, the raw limit of the server."""
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
               f"http://127.0.0.1:{port}/healthz"]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("Requests/sec:"))
    return round(float(line.split()[1]))


def pk_select_rate(url: str, seconds: float = 3.0) -> float:
    engine = create_engine(url)
    with engine.connect() as connection:
        top = int(connection.scalar(text("SELECT max(id) FROM certificates")) or 1)
        statement = text("SELECT id, number, name FROM certificates WHERE id = :id")
        done, begin = 0, time.perf_counter()
        while time.perf_counter() - begin < seconds:
            connection.execute(statement, {"id": random.randint(1, top)}).first()
            done += 1
    engine.dispose()
    return done / (time.perf_counter() - begin)


def credentials_file(url: str, path: Path, count: int = 2000) -> None:
    """``count`` credentials drawn at random from the whole table, so the checks spread over
    many status lists (each is built once per process and day) as real checks would."""
    engine = create_engine(url)
    with engine.connect() as connection:
        top = int(connection.scalar(text("SELECT max(id) FROM credential_versions")) or 0)
        ids = random.Random(7).sample(range(1, top + 1), min(count, top))
        texts: list[str] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join(str(i) for i in part)
            query = f"SELECT sc1 FROM credential_versions WHERE id IN ({marks})"
            texts += [r[0] for r in connection.execute(text(query))]
        path.write_text("\n".join(texts) + "\n")
    engine.dispose()


def paced(
    script: str, port: int, seconds: int, connections: int, env: dict[str, str], rate: int
) -> dict:
    """``wrk`` held near ``rate`` requests/s: each connection pauses between requests (wrk's
    ``delay``, whole milliseconds); the pause is calibrated by short runs, then measured."""
    interval = connections * 1000 / rate
    pace = interval
    for _ in range(4):
        probe = wrk(script, port, 3, connections, {**env, "PACE_MS": str(round(pace))})
        achieved = max(1, probe["per_s"])
        if abs(achieved - rate) / rate <= 0.03:
            break
        pace = max(0.0, pace + interval - connections * 1000 / achieved)
    result = wrk(script, port, seconds, connections, {**env, "PACE_MS": str(round(pace))})
    return {**result, "target_per_s": rate, "pace_ms": round(pace)}


def starting(data: Path, url: str, seconds: int, args: argparse.Namespace) -> dict:
    """One start of the server: the verify API in the ``seconds`` after ``/healthz`` first
    answers (right after a 2 s public-query warm-up, as in the full run), the time from
    process start until ``/healthz`` says every list is warm in both workers, and the verify
    API once warm (the figure to compare with)."""
    env = {"SAMPLE": str(data / "sample.csv"), "CREDENTIALS": str(data / "credentials.txt")}
    port = free_port()
    started = time.perf_counter()
    server = serve(data, port, args.workers)
    answering = round(time.perf_counter() - started, 2)
    try:
        # /healthz is asked from the first answer on, beside the load, so the time until every
        # list is warm is not held back by the measurement of the verify API.
        warm: list[float | None] = []
        watcher = threading.Thread(target=lambda: warm.append(wait_warm(port)), daemon=True)
        watcher.start()
        wrk("query.lua", port, 2, args.connections, env)
        cold = wrk("verify.lua", port, seconds, args.connections, env)
        watcher.join()
        warm_at = warm[0]
        after = wrk("verify.lua", port, seconds, args.connections, env)
        return {
            **machine(), "workers": args.workers, "connections": args.connections,
            "database": url.split(":")[0], "data_dir": str(data),
            "healthz_answers_after_s": answering,
            "verify_right_after_start": cold,
            "verify_warm": after,
            "lists_warm_after_s": None if warm_at is None else round(warm_at - started, 1),
        }  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--scale", type=float, default=0.002)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=500, help="paced public query, req/s")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each figure")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--starts",
        type=int,
        default=0,
        help="only the start: this many times, start the server, measure the verify API "
        "right after start and the time until every list is warm, stop it (decision 0011)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    seconds = 5 if args.quick else args.seconds
    data, built = (args.data_dir, False) if args.data_dir else (build(args.scale), True)
    url = os.environ.get("OPCERT_DATABASE_URL", f"sqlite:///{data / 'opcert.sqlite'}")
    credentials_file(url, data / "credentials.txt")
    if args.starts:
        for start in range(1, args.starts + 1):
            emit({"bench": "restart", "start": start, **starting(data, url, seconds, args)})
        return
    port = free_port()
    started = time.perf_counter()
    server = serve(data, port, args.workers)
    common = {**machine(), "workers": args.workers, "connections": args.connections,
              "database": url.split(":")[0], "data_dir": str(data)}  # fmt: skip
    try:
        env = {"SAMPLE": str(data / "sample.csv"), "CREDENTIALS": str(data / "credentials.txt")}
        wrk("query.lua", port, 2, args.connections, env)  # warm-up
        # Right after start each process is still building its status lists (about 0.1 s a
        # list at scale 0.1, in the background warmer or for the check that needs one):
        # measured here once; then the bench waits for /healthz to say the lists are warm
        # (the time is a figure too), and the runs after that are warm.
        cold = wrk("verify.lua", port, seconds, args.connections, env)
        emit({"bench": "verify_api_cold", **common, **cold})
        warm_at = wait_warm(port)
        since = None if warm_at is None else round(warm_at - started, 1)
        emit(
            {
                "bench": "status_lists_warm", **common, "warm": warm_at is not None,
                "seconds_after_start": since,
            }
        )  # fmt: skip
        wrk("verify.lua", port, 3 * seconds, args.connections, env)  # warm every list
        for run in range(1, args.repeat + 1):
            for bench, script in (("public_query", "query.lua"), ("verify_api", "verify.lua")):
                result = wrk(script, port, seconds, args.connections, env)
                emit({"bench": bench, "run": run, **common, **result})
            result = paced("query.lua", port, seconds, args.connections, env, args.rate)
            emit({"bench": "public_query_paced", "run": run, **common, **result})
        emit(
            {
                "bench": "raw_http_healthz",
                **common,
                "per_s": healthz_rate(port, seconds, args.connections),
            }
        )
        emit({"bench": "raw_db_pk_select", **common, "per_s": round(pk_select_rate(url))})
        emit({"bench": "server_peak_rss", **common, "mb": round(peak_rss_mb(server.pid), 1)})
    finally:
        server.terminate()
        server.wait(10)
        if built:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
