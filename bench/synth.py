"""Load rate and database size of ``opcert synth``, one JSON object per result.

    .venv/bin/python bench/synth.py                 # SQLite 0.01 and 0.1, PostgreSQL 0.01
    .venv/bin/python bench/synth.py --quick         # SQLite 0.002
    .venv/bin/python bench/synth.py --runs sqlite:0.01 --keep /tmp/dir   # keep the data dir

The raw limit beside the load rate is the Ed25519 signing rate of the same run: every credential
version is signed (decision 0007), so versions/s can never exceed it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from bench.common import emit, fresh_platform, machine, rate
from opcert.bootstrap import Platform
from opcert.services.synth import synthesise


def sign_rate() -> float:
    key, message = Ed25519PrivateKey.generate(), b"x" * 330

    def work() -> int:
        for _ in range(200):
            key.sign(message)
        return 200

    return rate(work, 1.0)


def size_mb(platform: Platform) -> float:
    url = str(platform.engine.url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        wal = f"{path}-wal"
        return (os.path.getsize(path) + (os.path.getsize(wal) if os.path.exists(wal) else 0)) / 1e6
    with platform.engine.connect() as connection:
        total = connection.scalar(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        )
    return float(total or 0) / 1e6


def run(backend: str, scale: float, keep: Path | None, schema: str = "opcert_bench_synth") -> None:
    platform = fresh_platform(backend, schema=schema)
    sample = platform.settings.data_dir / "sample.csv"
    limit = sign_rate()
    begin = time.perf_counter()
    summary = synthesise(platform.ctx, scale, seed=1, sample=sample)
    seconds = time.perf_counter() - begin
    rows = sum(summary.rows.values()) + summary.anomalies + summary.status_lists
    emit(
        {
            "bench": "synth_load", "backend": backend, "scale": scale, **machine(),
            "holders": summary.holders, "rows": rows, "tables": summary.rows,
            "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
            "index_build_seconds": round(summary.index_seconds, 1),
            "versions_per_s": round(summary.rows["credential_versions"] / seconds),
            "raw_sign_per_s": round(limit), "db_mb": round(size_mb(platform), 1),
            "data_dir": str(platform.settings.data_dir),
        }
    )  # fmt: skip
    platform.close()
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        for name in os.listdir(platform.settings.data_dir):
            shutil.move(str(platform.settings.data_dir / name), keep / name)
    shutil.rmtree(platform.settings.data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", nargs="*", help="backend:scale, e.g. sqlite:0.01")
    parser.add_argument("--keep", type=Path, help="move the last run's data dir here")
    parser.add_argument(
        "--schema", default="opcert_bench_synth", help="PostgreSQL schema (dropped, then made)"
    )
    args = parser.parse_args()
    runs = args.runs or (
        ["sqlite:0.002"] if args.quick else ["sqlite:0.01", "postgresql:0.01", "sqlite:0.1"]
    )
    for spec in runs:
        backend, scale = spec.split(":")
        run(backend, float(scale), args.keep, args.schema)


if __name__ == "__main__":
    main()
