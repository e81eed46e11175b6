"""Anomalies injected into the synthetic data, and their ground-truth labels.

Four kinds, each chosen from the seed alone (never from the scale, so a small data set carries
the same labels as a large one): provinces whose pass rate jumps from one year to the next,
exam points whose passing scores bunch just above 80, exam points whose volume spikes for a
month, and candidates examined more than 1,500 km from home.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from opcert.services.synth.exams import YEARS, Site
from opcert.services.synth.geography import BY_CODE, FAR_KM, PROVINCES, distance_km

JUMP = 0.18  # added to a province's pass rate from the jump year on
BUNCHED_RATE = 0.97  # pass rate at a point where scores bunch
SPIKE_SHARE = 0.03  # share of a province's exams sent to its spiking point in the spike month
FAR_SHARE = 0.0005  # holders per chunk examined far from home (at least one per chunk)


@dataclass(frozen=True)
class AnomalyPlan:
    base_rates: dict[str, float]
    jumps: dict[str, int]  # province -> first year of the higher rate
    bunched: frozenset[int]  # exam point ids
    spikes: dict[str, tuple[Site, date]]  # province -> (point, first day of the spike month)
    by_province: dict[str, list[Site]] = field(default_factory=dict)
    far_share: float = FAR_SHARE

    def without_anomalies(self) -> AnomalyPlan:
        """The same provinces and base rates with nothing injected: the analysis's null data."""
        return AnomalyPlan(self.base_rates, {}, frozenset(), {}, self.by_province, 0.0)

    def pass_rate(self, province: str, year: int, site: Site) -> float:
        """The chance that one attempt passes."""
        if site.id in self.bunched:
            return BUNCHED_RATE
        rate = self.base_rates[province]
        if province in self.jumps and year >= self.jumps[province]:
            rate += JUMP
        return min(rate, 0.98)


def plan(rng: random.Random, sites: list[Site], today: date) -> AnomalyPlan:
    """Choose base pass rates and the anomalies for a run."""
    by_province: dict[str, list[Site]] = {}
    for site in sites:
        by_province.setdefault(site.province, []).append(site)
    base = {p.code: round(rng.uniform(0.68, 0.78), 3) for p in PROVINCES}
    first_year = today.year - YEARS + 2
    jumps = {p.code: rng.randint(first_year, today.year - 1) for p in rng.sample(PROVINCES, 3)}
    bunched = frozenset(s.id for s in rng.sample(sites, 4))
    spikes: dict[str, tuple[Site, date]] = {}
    for province in rng.sample([p for p in PROVINCES if p.code not in jumps], 3):
        site = rng.choice(by_province[province.code])
        spikes[province.code] = (site, date(rng.randint(first_year, today.year - 1), 6, 1))
    return AnomalyPlan(base, jumps, bunched, spikes, by_province)


def labels(plan_: AnomalyPlan, sites: list[Site], seed: int, now: datetime) -> list[dict[str, Any]]:
    """Rows of ``synth_anomalies`` for the province and exam-point anomalies of a plan."""
    rows = []
    for province, year in sorted(plan_.jumps.items()):
        before = plan_.base_rates[province]
        detail: dict[str, Any] = {
            "pass_rate_before": before,
            "pass_rate_after": round(min(before + JUMP, 0.98), 3),
        }
        rows.append(_row("pass_rate_jump", province, year, detail, seed, now))
    for site in sites:
        if site.id in plan_.bunched:
            detail = {"scores": "80-82", "pass_rate": BUNCHED_RATE, "province": site.province}
            rows.append(_row("score_bunching", site.code, None, detail, seed, now))
    for _province, (site, month) in sorted(plan_.spikes.items()):
        detail = {"month": month.isoformat()[:7], "share_of_province": SPIKE_SHARE}
        rows.append(_row("volume_spike", site.code, month.year, detail, seed, now))
    return rows


def far_travel_label(
    id_number: str, home: str, site: Site, year: int, seed: int, now: datetime
) -> dict[str, Any]:
    """The label of one candidate examined in a province far from home."""
    km = round(distance_km(BY_CODE[home], BY_CODE[site.province]))
    detail = {"home": home, "exam_province": site.province, "exam_point": site.code, "km": km}
    if km <= FAR_KM:
        raise ValueError(f"{home} to {site.province} is {km} km, not over {FAR_KM} km")
    return _row("far_travel", id_number, year, detail, seed, now)


def _row(
    kind: str, subject: str, year: int | None, detail: dict[str, Any], seed: int, now: datetime
) -> dict[str, Any]:
    return {
        "kind": kind,
        "subject": subject,
        "year": year,
        "detail": detail,
        "seed": seed,
        "created_at": now,
    }
