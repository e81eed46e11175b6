"""Shared set-up for benchmarks: a fresh platform on SQLite or PostgreSQL, and timing helpers."""

from __future__ import annotations

import json
import os
import platform as host
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from stdnum.cn import ric

from opcert.bootstrap import Platform, build, initialise
from opcert.services.registry import parties as registry
from opcert.settings import Settings

PG_BASE = os.environ.get(
    "OPCERT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": host.python_version(), "machine": host.machine()}


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def fresh_platform(backend: str, schema: str = "opcert_bench") -> Platform:
    data_dir = Path(tempfile.mkdtemp(prefix=f"opcert-bench-{backend}-"))
    if backend == "postgresql":
        engine = create_engine(PG_BASE)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{data_dir / 'opcert.sqlite'}"
    platform = build(Settings(data_dir=data_dir, database_url=url))
    initialise(platform)
    return platform


def exam_institution(platform: Platform, region: str = "440402") -> str:
    created = registry.add_institution(
        platform.ctx, code="BENCH-EXAM", name="基准测试考试中心", region=region, kind="exam"
    )
    registry.add_exam_point(
        platform.ctx, institution="BENCH-EXAM", code="EP-BENCH-01", name="基准考试点", region=region
    )
    assert created.api_key
    return created.api_key


def id_number(n: int) -> str:
    born = (
        19800101 + (n % 28) + 100 * (n // 28 % 12) + 10000 * (n // 336 % 20)
    )  # working age, both sexes
    body = f"440402{born}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def results(start: int, count: int, exam_date: str, prefix: str = "B") -> list[dict[str, Any]]:
    return [
        {
            "ref": f"{prefix}-{n:08d}",
            "id_number": id_number(n),
            "name": "测试员",
            "item": "1.2",
            "theory_score": 90,
            "practical_score": 92,
            "exam_date": exam_date,
            "exam_point": "EP-BENCH-01",
        }
        for n in range(start, start + count)
    ]


def rate(work: Callable[[], int], seconds: float = 2.0) -> float:
    done, begin = 0, time.perf_counter()
    while time.perf_counter() - begin < seconds:
        done += work()
    return done / (time.perf_counter() - begin)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }
