"""Intake benchmark: exam results to signed certificates, against the crypto library's own limit.

Prints one JSON object per measurement:
- end-to-end certificates per second for N passing results in batches of 1,000 (SQLite, PostgreSQL);
- Ed25519 signatures per second of the raw library in the same run (the ceiling for issuance);
- p50/p99 latency of a single-result request to a running server (uvicorn, real HTTP);
- the cost of the transparency log: issuance with the log appends against the same issuance with
  them turned off, alternated in one run (``intake_log_cost``, target ratio >= 0.8).

    .venv/bin/python bench/intake.py            # 100,000 results per backend
    .venv/bin/python bench/intake.py --quick    # 5,000 results per backend
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, exam_institution, fresh_platform, machine, percentiles, rate, results
from opcert.bootstrap import build
from opcert.domain.clock import local_date
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.settings import Settings


def raw_signatures_per_second() -> float:
    key = ed25519.Ed25519PrivateKey.generate()
    message = os.urandom(330)  # about the size of an SC1 Sig_structure

    def hundred() -> int:
        for _ in range(100):
            key.sign(message)
        return 100

    return rate(hundred)


def end_to_end(
    backend: str, total: int, batch: int, clients: int = 1, log: bool = True
) -> dict[str, object]:
    """Issue ``total`` passing results; ``clients`` processes submit concurrently, as several
    exam institutions (or API workers) would. Test data is generated before the clock starts."""
    platform = fresh_platform(backend)
    exam_institution(platform)
    settings = platform.settings
    exam_date = local_date(platform.ctx.now()).isoformat()
    platform.close()
    shares = [(start, min(batch, total - start)) for start in range(0, total, batch)]
    jobs = [shares[i::clients] for i in range(clients)]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(clients) as pool:
        barrier = manager.Barrier(clients)
        args = [
            (settings.data_dir, settings.resolved_database_url, job, exam_date, barrier, log)
            for job in jobs
        ]
        outcomes = pool.map(_client_job, args)
    issued = sum(n for n, _, _, _ in outcomes)
    seconds = max(end for _, _, end, _ in outcomes) - min(start for _, start, _, _ in outcomes)
    cpu = sum(c for _, _, _, c in outcomes)
    assert issued == total, f"only {issued} of {total} issued"
    return {
        "bench": "intake_end_to_end",
        "backend": backend,
        "results": total,
        "batch": batch,
        "clients": clients,
        "log": log,
        "seconds": round(seconds, 2),
        "certificates_per_second": round(total / seconds, 1),
        # The submitting processes' own CPU time (SQLite's work included; PostgreSQL's server
        # not): far less sensitive than wall time to other work on a shared machine.
        "cpu_seconds": round(cpu, 2),
        "certificates_per_cpu_second": round(total / cpu, 1),
    }


def _client_job(
    args: tuple[Path, str, list[tuple[int, int]], str, Any, bool],
) -> tuple[int, float, float, float]:
    """One submitting process: build its batches, wait for the others, then submit and time.
    Without ``log``, the transparency-log append of issuance is a no-op in this process (the
    baseline the log's cost is measured against; never a way to run the platform)."""
    data_dir, url, job, exam_date, barrier, log = args
    if not log:
        from types import SimpleNamespace

        from opcert.services.issuance import log as transparency_log
        from opcert.services.issuance import minting

        minting.transparency_log = SimpleNamespace(  # type: ignore[assignment]
            append=lambda *_args: None, LogItem=transparency_log.LogItem
        )
    platform = build(Settings(data_dir=data_dir, database_url=url))
    with platform.ctx.uow() as uow:
        row = uow.registry.institution_by_code("BENCH-EXAM")
        principal = InstitutionPrincipal(row.id, row.code, row.name)
    batches = [results(start, count, exam_date) for start, count in job]
    barrier.wait()
    start, cpu = time.time(), time.process_time()
    issued = 0
    for rows in batches:
        outcomes = submit_results(platform.ctx, principal, rows)
        issued += sum(1 for o in outcomes if o.outcome == "issued")
    end, cpu = time.time(), time.process_time() - cpu
    platform.close()
    return issued, start, end, cpu


def log_cost(backend: str, total: int, batch: int, rounds: int) -> dict[str, object]:
    """Issuance with and without the log, alternated ``rounds`` times on fresh databases; the
    ratio of the median rates (with / without)."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    cpu_rates: dict[bool, list[float]] = {True: [], False: []}
    end_to_end(backend, min(total, 2000), batch, 1, True)  # warm-up: file caches, imports
    for round_ in range(rounds):
        for log in (False, True) if round_ % 2 == 0 else (True, False):
            measured = end_to_end(backend, total, batch, 1, log)
            emit(measured)
            rates[log].append(float(measured["certificates_per_second"]))  # type: ignore[arg-type]
            cpu_rates[log].append(float(measured["certificates_per_cpu_second"]))  # type: ignore[arg-type]
    with_log, without = median(rates[True]), median(rates[False])
    cpu_with, cpu_without = median(cpu_rates[True]), median(cpu_rates[False])
    return {
        "bench": "intake_log_cost",
        "backend": backend,
        "results": total,
        "rounds": rounds,
        "with_log_per_second": round(with_log, 1),
        "without_log_per_second": round(without, 1),
        "ratio": round(with_log / without, 3),
        "with_log_per_cpu_second": round(cpu_with, 1),
        "without_log_per_cpu_second": round(cpu_without, 1),
        "cpu_ratio": round(cpu_with / cpu_without, 3),
        "target": 0.8,
    }


def single_latency(requests: int) -> dict[str, object]:
    platform = fresh_platform("sqlite")
    key = exam_institution(platform)
    port = _free_port()
    env = {
        **os.environ,
        "OPCERT_DATA_DIR": str(platform.settings.data_dir),
        "OPCERT_DATABASE_URL": platform.settings.resolved_database_url,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "opcert.interfaces.asgi:create",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base)
        exam_date = local_date(platform.ctx.now()).isoformat()
        samples = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
            for n in range(requests + 20):
                body = {"results": results(10_000_000 + n, 1, exam_date, prefix="L")}
                begin = time.perf_counter()
                response = client.post("/api/v1/exam-results", json=body)
                elapsed = time.perf_counter() - begin
                assert response.json()["results"][0]["outcome"] == "issued", response.text
                if n >= 20:  # warm-up
                    samples.append(elapsed)
    finally:
        server.terminate()
        server.wait()
        platform.close()
    return {
        "bench": "intake_single_result_latency",
        "backend": "sqlite",
        "requests": requests,
        **percentiles(samples),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(base: str) -> None:
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=int, default=None)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", default="1,2", help="concurrent submitting processes to try")
    parser.add_argument(
        "--log-cost-only", action="store_true", help="only the with/without transparency log pair"
    )
    parser.add_argument("--rounds", type=int, default=4, help="with/without log alternations")
    args = parser.parse_args()
    total = args.results or (5_000 if args.quick else 100_000)
    emit({"bench": "machine", **machine()})
    emit(
        {
            "bench": "raw_ed25519_sign",
            "signatures_per_second": round(raw_signatures_per_second(), 1),
        }
    )
    for backend in args.backends.split(","):
        emit(log_cost(backend, min(total, 20_000), 1000, args.rounds))
    if args.log_cost_only:
        return
    for backend in args.backends.split(","):
        for clients in (int(c) for c in args.clients.split(",")):
            emit(end_to_end(backend, total, 1000, clients))
    emit(single_latency(200 if args.quick else 1000))


if __name__ == "__main__":
    main()
