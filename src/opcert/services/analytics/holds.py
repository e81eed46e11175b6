"""Issuance held on strong exam-data signals (issue 16, item 5; decision 0028).

A signal of a run is *strong* when its q-value is under ``ctx.hold_q_max`` (default 0.01) and
its effect is large in the suspicious direction (``LARGE_EFFECT``, each overridable in
``ctx.hold_min_effect``). A strong signal on an exam point or an exam institution puts that unit
under hold from the run that found it: its new results are filed but not auto-approved (the
check ``exam_data``, reason ``EXAM_DATA_ANOMALY``), until an officer whose division covers the
unit releases the hold with a reason. Placing and releasing are ledger entries.

A hold has grounds, one per (kind, period). A released ground is settled: a later run finding the
same kind and period on the unit does not hold it again; a new kind or period does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opcert.domain.checks import DataHold
from opcert.domain.errors import Conflict, FieldError, NotFound
from opcert.persistence.models import AnalyticsSignal, ExamDataHold
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal

HELD_UNIT_TYPES = ("exam_point", "institution")
ACTOR = "system:analytics"
MAX_REASON = 500

# The smallest effect (see signals.EFFECTS: every effect is a ratio, above 1 in the suspicious
# direction) that holds a unit. Pass rates are bounded by 100 %, so 1.2 is already large (70 %
# expected, 84 % observed); shares and volumes are unbounded, so twice the peers; a spread a
# third smaller than the peers' is 1.5. Chosen from what each ratio can reach, not from labels.
LARGE_EFFECT = {
    "pass_rate": 1.2,
    "first_attempt_pass_rate": 1.2,
    "pass_rate_year_on_year": 2.0,  # odds ratio of passing against a year before
    "volume_spike": 2.0,
    "score_heaping": 2.0,
    "practical_score_spread": 1.5,
    "far_from_home": 2.0,
    "shared_contact": 2.0,
    "off_day_exams": 2.0,
}


def is_strong(signal: AnalyticsSignal, q_max: float, min_effect: dict[str, float]) -> bool:
    threshold = min_effect.get(signal.kind, LARGE_EFFECT.get(signal.kind))
    return threshold is not None and signal.q_value < q_max and signal.effect >= threshold


def _ground(signal: AnalyticsSignal) -> dict[str, Any]:
    return {
        "signal": signal.id,
        "run": signal.run_id,
        "kind": signal.kind,
        "period": signal.period,
        "q_value": signal.q_value,
        "effect": signal.effect,
        "explanation_zh": signal.explanation_zh,
        "explanation_en": signal.explanation_en,
    }


def apply_holds(ctx: ServiceContext, run_id: int, signals: Sequence[object] = ()) -> list[int]:
    """Hold the exam points and institutions with a strong signal in run ``run_id``; returns the
    ids of the holds placed or given new grounds. ``signals`` (the run's, in memory) only lets a
    run with none skip the database."""
    if not signals:
        return []
    with ctx.uow() as uow:
        uow.begin_write()
        strong = [
            s
            for s in uow.holds.run_signals(run_id, HELD_UNIT_TYPES)
            if is_strong(s, ctx.hold_q_max, ctx.hold_min_effect)
        ]
        if not strong:
            return []
        by_unit: dict[tuple[str, str], list[AnalyticsSignal]] = defaultdict(list)
        for signal in strong:
            by_unit[(signal.unit_type, signal.unit)].append(signal)
        existing: dict[tuple[str, str], list[ExamDataHold]] = defaultdict(list)
        for hold in uow.holds.of_units(by_unit):
            existing[(hold.unit_type, hold.unit)].append(hold)
        units = uow.holds.units(
            [u for t, u in by_unit if t == "exam_point"],
            [u for t, u in by_unit if t == "institution"],
        )
        now, events, touched = ctx.now(), [], []
        for key, found in sorted(by_unit.items()):
            if key not in units:  # a unit renamed or removed since the data was read
                continue
            event = _hold_unit(uow, key, units[key], found, existing[key], now)
            if event is not None:
                events.append(event)
                touched.append(int(event.subject.split(":")[1]))
        ledger.append(uow, events)
        uow.commit()
        return touched


def _hold_unit(
    uow: UnitOfWork,
    key: tuple[str, str],
    unit: tuple[str, str],
    signals: list[AnalyticsSignal],
    holds: list[ExamDataHold],
    now: datetime,
) -> ledger.LedgerEvent | None:
    """Place or extend the unit's hold; the ledger event, or None when nothing new was held."""
    settled = {(g["kind"], g["period"]) for h in holds if h.released_at for g in h.grounds}
    active = next((h for h in holds if h.released_at is None), None)
    known = {(g["kind"], g["period"]): g for g in (active.grounds if active else [])}
    fresh = [s for s in signals if (s.kind, s.period) not in settled | set(known)]
    if active is not None:
        # The same grounds found again (a later run over the span): point them at its signals.
        current = {(s.kind, s.period): _ground(s) for s in signals}
        active.grounds = [current.get(k, g) for k, g in known.items()] + [_ground(s) for s in fresh]
    if not fresh:
        return None
    kind = "analytics.hold.extended"
    if active is None:
        kind = "analytics.hold.placed"
        active = ExamDataHold(
            unit_type=key[0],
            unit=key[1],
            unit_name=unit[0],
            region=unit[1],
            grounds=[_ground(s) for s in fresh],
            held_at=now,
        )
        uow.holds.add(active)
    return ledger.LedgerEvent(
        now,
        ACTOR,
        kind,
        f"exam_data_hold:{active.id}",
        {
            "unit_type": key[0],
            "unit": key[1],
            "grounds": [
                {"signal": s.id, "run": s.run_id, "kind": s.kind, "period": s.period} for s in fresh
            ],
        },
    )


def data_holds(uow: UnitOfWork, points: set[str], institution: str) -> dict[str | None, DataHold]:
    """The holds in force on these exam points (by code) and this institution (under None),
    each with its strongest ground, for the intake's ``exam_data`` check."""
    found: dict[str | None, DataHold] = {}
    for hold in uow.holds.active_for(points, [institution]):
        ground = min(hold.grounds, key=lambda g: (g["q_value"], -g["effect"]))
        found[hold.unit if hold.unit_type == "exam_point" else None] = DataHold(
            hold.id,
            int(ground["signal"]),
            hold.unit_name,
            ground["explanation_zh"],
            ground["explanation_en"],
        )
    return found


@dataclass(frozen=True)
class HoldView:
    id: int
    unit_type: str
    unit: str
    unit_name: str
    region: str
    grounds: list[dict[str, Any]]
    held_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


PAGE_SIZE = 50


def holds_in_scope(
    ctx: ServiceContext, officer: OfficerPrincipal, *, active: bool = True, page: int = 1
) -> tuple[list[HoldView], bool]:
    """One page of the holds on units in the officer's division (newest first), and whether
    there is a next page."""
    officer.require(Action.READ_APPLICATIONS)
    page = min(max(page, 1), 10_000)
    with ctx.uow() as uow:
        rows = uow.holds.in_region(
            officer.region_prefix,
            active=active,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
        views = [_view(row) for row in rows[:PAGE_SIZE]]
    return views, len(rows) > PAGE_SIZE


def _view(row: ExamDataHold) -> HoldView:
    return HoldView(
        row.id,
        row.unit_type,
        row.unit,
        row.unit_name,
        row.region,
        list(row.grounds),
        row.held_at,
        row.released_at,
        row.released_by,
        row.release_reason,
    )


def _unknown(hold_id: object) -> NotFound:
    return NotFound(
        "HOLD_UNKNOWN",
        f"未找到编号为 {hold_id} 的暂停自动发证记录",
        f"no exam-data hold {hold_id}",
        field="hold",
    )


def _release_reason(reason: str) -> str:
    """The reason for a release, trimmed: refused on ``reason`` when empty or too long."""
    text = (reason or "").strip()
    if not text:
        raise FieldError(
            "reason",
            "REASON_REQUIRED",
            "请填写解除暂停的理由（核查了什么，结论如何）",
            "give the reason for releasing the hold (what was checked, what was found)",
        )
    if len(text) > MAX_REASON:
        raise FieldError(
            "reason",
            "TOO_LONG",
            f"理由不能超过 {MAX_REASON} 个字符",
            f"the reason is longer than {MAX_REASON} characters",
        )
    return text


def _hold_number(hold_id: object) -> int:
    """A hold's id as given in a form or a path, or ``NotFound`` for anything that is not one."""
    try:
        number = int(str(hold_id))
    except ValueError:
        raise _unknown(hold_id) from None
    if not 0 < number < 2**31:
        raise _unknown(hold_id)
    return number


def release(ctx: ServiceContext, officer: OfficerPrincipal, hold_id: object, reason: str) -> None:
    """Release a hold: the unit's next results are auto-approved again. Raises ``Forbidden``
    for a role that may not (before anything is looked up), ``FieldError`` on ``reason`` when
    it is empty or too long, ``NotFound`` for an unknown id or a unit outside the officer's
    division, ``Conflict`` when it was released already."""
    officer.require(Action.CLEAR_HOLDS)
    text = _release_reason(reason)
    number = _hold_number(hold_id)
    with ctx.uow() as uow:
        uow.begin_write()
        hold = uow.holds.get(number, lock=True)
        if hold is None or not officer.covers(hold.region):
            raise _unknown(number)
        if hold.released_at is not None:
            raise Conflict(
                "HOLD_RELEASED",
                "该暂停已被解除",
                "this hold was already released",
                field="hold",
            )
        now = ctx.now()
        hold.released_at, hold.released_by, hold.release_reason = now, officer.actor, text
        ledger.append(
            uow,
            [
                ledger.LedgerEvent(
                    now,
                    officer.actor,
                    "analytics.hold.released",
                    f"exam_data_hold:{hold.id}",
                    {
                        "unit_type": hold.unit_type,
                        "unit": hold.unit,
                        "reason": text,
                        "grounds": [
                            {"signal": g["signal"], "kind": g["kind"], "period": g["period"]}
                            for g in hold.grounds
                        ],
                    },
                )
            ],
        )
        uow.commit()
