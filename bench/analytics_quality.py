"""How well ``opcert analytics run`` finds what ``opcert synth`` planted, one JSON object per
data set: recall of the labelled anomalies and the observed false-discovery proportion, per
kind and overall, and the run's time beside the time of the bare aggregate query.

    .venv/bin/python -m bench.analytics_quality --data-dir /tmp/an/s001-seed1 [--data-dir ...]
    .venv/bin/python -m bench.analytics_quality --data-dir DIR --fdr 0.1 --years 10
    .venv/bin/python -m bench.analytics_quality --data-dir DIR --months 12   # the last year only
    .venv/bin/python -m bench.analytics_quality --data-dir DIR --database-url postgresql+psycopg://…

The matching rules were written from what each label means, before any run was scored, and the
run's thresholds (FDR 0.1, the minimum counts in ``signals.MINIMUM``, Spiegelhalter's 10 %
winsorising) are not tuned to them:

- ``pass_rate_jump`` (a province, from a year on): found by a province-level signal on its pass
  rate (against peers, first attempts, or year on year) in that year or later. Signals of those
  kinds on any unit inside the province from that year on are true (the whole province passes
  more), not false discoveries.
- ``score_bunching`` (an exam point): found by any signal on the exam point or its institution
  of a score or pass-rate kind. Those kinds on a city or province containing it are true too.
- ``volume_spike`` (an exam point, a month): found by a volume signal on the exam point or its
  institution in that month. Volume signals on the containing city or province in that month or
  the month before (the spike's candidates failed there first, a month earlier) are true too.
- ``far_travel`` (a candidate): not a statistical signal (see ``services/analytics/far.py``);
  found when the candidate is on the far-from-home list. An exam point's far-from-home share
  signal is true when a labelled candidate sat there.

Two rules were added after scored runs, because the runs showed how ``synth`` injects a spike
(both are reported apart: ``fdp_overall`` with them, ``fdp_as_registered`` without):

1. the spike's exams fall on any day of the month, weekends included, and its candidates'
   earlier failed attempts 35 and 70 days before: exams-on-days-off signals on the spiking
   point or a unit containing it, in the spike's year, are caused by the spike;
2. every exam of the spike month at the point is a pass (the failures are dated before it), so
   the month's pass rate is near 100 %: pass-rate signals (any of the three kinds) on the
   spiking point or a unit containing it, from two months before the spike month to the same
   months a year later (the year-on-year comparison against it), are caused by the spike.

(The first run also showed a flaw in the analysis, not the scorer: the spread of all practical
scores narrows when more candidates pass, so a province whose pass rate jumped was flagged for
it. The test now compares passing scores only.)
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.common import emit, machine
from opcert.bootstrap import Platform, build
from opcert.persistence.models import ExamPoint, Institution, SyntheticAnomaly
from opcert.services.analytics import far, run
from opcert.services.analytics.signals import Kind, Test, UnitType
from opcert.settings import Settings

PASS_KINDS = {Kind.PASS_RATE, Kind.FIRST_ATTEMPT, Kind.YEAR_ON_YEAR}
SCORE_KINDS = {Kind.HEAPING, Kind.PRACTICAL_SPREAD, *PASS_KINDS}


@dataclass(frozen=True)
class Where:
    institution: str
    region: str


@dataclass(frozen=True)
class Label:
    kind: str
    subject: str
    year: int | None
    detail: dict[str, Any]


def _within(signal: run.Signal, province: str, places: dict[str, Where]) -> bool:
    """Whether the signal's unit lies in the two-digit ``province``."""
    unit_type, unit = signal.test.unit_type, signal.test.unit
    if unit_type in (UnitType.PROVINCE, UnitType.CITY):
        return unit[:2] == province
    if unit_type is UnitType.EXAM_POINT:
        return unit in places and places[unit].region[:2] == province
    return any(w.institution == unit and w.region[:2] == province for w in places.values())


def _contains(signal: run.Signal, point: str, places: dict[str, Where]) -> bool:
    """Whether the signal's unit is ``point`` or a unit above it."""
    where = places.get(point)
    if where is None:
        return False
    unit_type, unit = signal.test.unit_type, signal.test.unit
    return {
        UnitType.EXAM_POINT: unit == point,
        UnitType.INSTITUTION: unit == where.institution,
        UnitType.CITY: unit == where.region[:4] + "00",
        UnitType.PROVINCE: unit == where.region[:2] + "0000",
    }[unit_type]


def _year(period: str) -> int:
    return int(period[:4])


def _months_before(month: str, by: int) -> str:
    return run.shift_month(month, -by)


def finds(label: Label, signal: run.Signal, places: dict[str, Where]) -> bool:
    """The label is found by this signal (counts for recall)."""
    t = signal.test
    if label.kind == "pass_rate_jump":
        return (
            t.unit_type is UnitType.PROVINCE
            and t.unit[:2] == label.subject
            and t.kind in PASS_KINDS
            and label.year is not None
            and _year(t.period) >= label.year
        )
    if label.kind == "score_bunching":
        return (
            t.unit_type in (UnitType.EXAM_POINT, UnitType.INSTITUTION)
            and _contains(signal, label.subject, places)
            and t.kind in SCORE_KINDS
        )
    if label.kind == "volume_spike":
        return (
            t.unit_type in (UnitType.EXAM_POINT, UnitType.INSTITUTION)
            and _contains(signal, label.subject, places)
            and t.kind is Kind.VOLUME
            and t.period == label.detail["month"]
        )
    return False


def _spike_window(month: str) -> set[str]:
    """The spike month, the two before it, and the same three months a year later."""
    months = {_months_before(month, n) for n in (0, 1, 2)}
    return months | {f"{int(m[:4]) + 1}{m[4:]}" for m in months}


def explains(
    label: Label, signal: run.Signal, places: dict[str, Where], amended: bool = True
) -> bool:
    """The signal is a true one because of this label (not a false discovery); ``amended``
    adds the two rules found after scored runs (see the module's docstring)."""
    if finds(label, signal, places):
        return True
    t = signal.test
    if amended and label.kind == "volume_spike" and _contains(signal, label.subject, places):
        month = label.detail["month"]
        if t.kind is Kind.OFF_DAY and t.period[:4] == month[:4]:
            return True
        if t.kind in PASS_KINDS and t.period in _spike_window(month):
            return True
    if label.kind == "pass_rate_jump":
        return (
            t.kind in PASS_KINDS
            and label.year is not None
            and _year(t.period) >= label.year
            and _within(signal, label.subject, places)
        )
    if label.kind == "score_bunching":
        return t.kind in SCORE_KINDS and _contains(signal, label.subject, places)
    if label.kind == "volume_spike":
        month = label.detail["month"]
        return (
            t.kind is Kind.VOLUME
            and t.period in (month, _months_before(month, 1))
            and _contains(signal, label.subject, places)
        )
    if label.kind == "far_travel":
        return t.kind is Kind.FAR and _contains(signal, label.detail["exam_point"], places)
    return False


def score(
    labels: list[Label], signals: list[run.Signal], far_found: set[str], places: dict[str, Where]
) -> dict[str, Any]:
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"labels": 0, "found": 0})
    for label in labels:
        entry = by_kind[label.kind]
        entry["labels"] += 1
        if label.kind == "far_travel":
            entry["found"] += label.subject in far_found
        else:
            entry["found"] += any(finds(label, s, places) for s in signals)
    per_signal: dict[str, dict[str, int]] = defaultdict(
        lambda: {"signals": 0, "false": 0, "false_as_registered": 0}
    )
    for signal in signals:
        entry = per_signal[str(signal.test.kind)]
        entry["signals"] += 1
        entry["false"] += not any(explains(label, signal, places) for label in labels)
        entry["false_as_registered"] += not any(
            explains(label, signal, places, amended=False) for label in labels
        )
    unit_labels = [k for k in by_kind if k != "far_travel"]
    found = sum(by_kind[k]["found"] for k in unit_labels)
    total = sum(by_kind[k]["labels"] for k in unit_labels)
    false = sum(e["false"] for e in per_signal.values())
    registered = sum(e["false_as_registered"] for e in per_signal.values())
    return {
        "recall": {
            k: {**v, "recall": round(v["found"] / v["labels"], 3) if v["labels"] else None}
            for k, v in sorted(by_kind.items())
        },
        "recall_unit_labels": round(found / total, 3) if total else None,
        "signals": {
            k: {**v, "fdp": round(v["false"] / v["signals"], 3)}
            for k, v in sorted(per_signal.items())
        },
        "fdp_overall": round(false / len(signals), 3) if signals else 0.0,
        "fdp_as_registered": round(registered / len(signals), 3) if signals else 0.0,
        "signals_total": len(signals),
    }


def _places(platform: Platform) -> dict[str, Where]:
    with platform.ctx.uow() as uow:
        rows = uow.session.execute(
            select(ExamPoint.code, Institution.code, ExamPoint.region).join(
                Institution, Institution.id == ExamPoint.institution_id
            )
        )
        return {code: Where(inst, region) for code, inst, region in rows}


def _labels(platform: Platform) -> list[Label]:
    with platform.ctx.uow() as uow:
        rows = uow.session.scalars(select(SyntheticAnomaly))
        return [Label(r.kind, r.subject, r.year, dict(r.detail)) for r in rows]


def _stored(platform: Platform) -> run.RunResult:
    """The latest recorded run, its signals rebuilt from their rows (to score again without
    running again)."""
    with platform.ctx.uow() as uow:
        last = uow.analytics.runs()[0]
        signals = [
            run.Signal(
                Test(
                    UnitType(r.unit_type), r.unit, Kind(r.kind), r.period, r.statistic,
                    r.p_value, r.effect, r.observed, r.reference,
                ),
                r.q_value, r.provisional, r.explanation_zh, r.explanation_en,
            )
            for r in uow.analytics.signals(last.id)
        ]  # fmt: skip
        return run.RunResult(
            last.id, last.tests, signals, [], list(last.provisional), dict(last.untested)
        )


def measure(
    data_dir: Path,
    fdr: float,
    years: int,
    far_km: float,
    stored: bool = False,
    database_url: str | None = None,
    months: int | None = None,
) -> dict[str, Any]:
    platform = build(Settings(data_dir=data_dir, database_url=database_url, env="development"))
    try:
        today = platform.ctx.today()
        start = (
            date(today.year - years, 1, 1)
            if months is None
            else date.fromisoformat(run.shift_month(f"{today:%Y-%m}", 1 - months) + "-01")
        )
        began = time.perf_counter()
        result = _stored(platform) if stored else run.run(platform.ctx, start, today, fdr)
        seconds = time.perf_counter() - began
        began = time.perf_counter()
        with platform.ctx.uow() as uow:
            aggregates = len(uow.analytics.monthly_counts(start, today, []))
        query_seconds = time.perf_counter() - began
        began = time.perf_counter()
        far_list = far.far_exams(platform.ctx, start, today - timedelta(days=0), far_km)
        far_seconds = time.perf_counter() - began
        far_found = {f.exam.id_number for f in far_list}
        labels = _labels(platform)
        scored = score(labels, result.signals, far_found, _places(platform))
        # the far list's own false-discovery proportion: listed people with no label
        labelled = {x.subject for x in labels if x.kind == "far_travel"}
        far_false = sum(1 for key in far_found if key not in labelled)
        return {
            "bench": "analytics_quality",
            **machine(),
            "data_dir": str(data_dir),
            "database": platform.engine.dialect.name,
            "from": start.isoformat(),
            "to": today.isoformat(),
            "fdr": fdr,
            "tests": result.tests,
            **scored,
            "far_list": {
                "listed": len(far_found),
                "unlabelled": far_false,
                "fdp": round(far_false / len(far_found), 3) if far_found else 0.0,
                "km": far_km,
                "seconds": round(far_seconds, 2),
            },
            "untested": result.untested,
            "run_seconds": round(seconds, 2),
            "aggregate_query_seconds": round(query_seconds, 2),
            "aggregate_rows": aggregates,
            "labels": dict(Counter(x.kind for x in labels)),
        }
    finally:
        platform.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, action="append", required=True)
    parser.add_argument("--fdr", type=float, default=run.DEFAULT_FDR)
    span = parser.add_mutually_exclusive_group()
    span.add_argument("--years", type=int, default=10, help="whole years back from today")
    span.add_argument(
        "--months", type=int, help="the last N months, this one included (12: the last year)"
    )
    parser.add_argument("--far-km", type=float, default=far.FAR_KM)
    parser.add_argument(
        "--stored", action="store_true", help="score the latest recorded run, without running"
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL data set (with one --data-dir for its keys)"
    )
    args = parser.parse_args()
    for data_dir in args.data_dir:
        emit(
            measure(
                data_dir, args.fdr, args.years, args.far_km, args.stored, args.database_url,
                args.months,
            )
        )  # fmt: skip


if __name__ == "__main__":
    main()
