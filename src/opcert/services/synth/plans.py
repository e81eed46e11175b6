"""What one holder's records will be, before any id is known: items, attempts, histories.

Planning is pure (a ``random.Random`` and the run's fixed choices), so the same seed and chunk
give the same plans whatever the database; ids are attached afterwards (``rows``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from opcert.services.synth import anomalies, exams
from opcert.services.synth.anomalies import AnomalyPlan
from opcert.services.synth.exams import Attempt, Site
from opcert.services.synth.geography import far_provinces
from opcert.services.synth.histories import History, history
from opcert.services.synth.people import Holder, IdentityAllocator, holder

# Certificates per holder: 18 million holders hold about 25 million certificates.
CERTIFICATES_PER_HOLDER = ((1, 0.70), (2, 0.215), (3, 0.085))
_COUNTS = [n for n, _ in CERTIFICATES_PER_HOLDER]
_COUNTS_CUMULATIVE = list(accumulate(w for _, w in CERTIFICATES_PER_HOLDER))


@dataclass(slots=True)
class PlannedCertificate:
    item: str
    site: Site
    attempts: list[Attempt]
    issued_on: date
    life: History


@dataclass(slots=True)
class PlannedHolder:
    holder: Holder
    certificates: list[PlannedCertificate] = field(default_factory=list)
    far: bool = False


@dataclass(frozen=True)
class Run:
    """Choices fixed for a whole run."""

    seed: int
    today: date
    plan: AnomalyPlan
    item_codes: list[str]
    item_weights: list[float]
    item_cumulative: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # random.choices accumulates the weights on every call; given the same sums it draws
        # exactly the same items, without the work.
        object.__setattr__(self, "item_cumulative", list(accumulate(self.item_weights)))


def plan_chunk(run: Run, ids: IdentityAllocator, chunk: int, count: int) -> list[PlannedHolder]:
    """The holders of chunk number ``chunk``; at least one of them is examined far from home,
    unless the run injects no anomalies."""
    rng = random.Random(f"{run.seed}:chunk:{chunk}")
    people = [holder(rng, ids, run.today) for _ in range(count)]
    share = run.plan.far_share
    far = set(rng.sample(range(count), max(1, round(count * share)))) if share else set()
    return [_plan_holder(rng, run, person, n in far) for n, person in enumerate(people)]


def _plan_holder(rng: random.Random, run: Run, person: Holder, far: bool) -> PlannedHolder:
    planned = PlannedHolder(person, far=far)
    wanted = rng.choices(_COUNTS, cum_weights=_COUNTS_CUMULATIVE)[0]
    chosen: list[str] = []
    while len(chosen) < wanted:
        item = rng.choices(run.item_codes, cum_weights=run.item_cumulative)[0]
        if item not in chosen:
            chosen.append(item)
    exam_province = rng.choice(far_provinces(person.province)).code if far else person.province
    for item in chosen:
        planned.certificates.append(_plan_certificate(rng, run, exam_province, item))
    return planned


def _plan_certificate(rng: random.Random, run: Run, province: str, item: str) -> PlannedCertificate:
    plan = run.plan
    site = rng.choice(plan.by_province[province])
    passed_on = exams.exam_day(rng, run.today)
    spike = plan.spikes.get(province)
    if spike is not None and rng.random() < anomalies.SPIKE_SHARE:
        site, month = spike
        passed_on = month + timedelta(days=rng.randrange(28))
    rate = plan.pass_rate(province, passed_on.year, site)
    tries = exams.attempts(rng, rate, passed_on, site.id in plan.bunched)
    issued_on = min(run.today - timedelta(days=1), passed_on + timedelta(days=rng.randint(2, 12)))
    return PlannedCertificate(item, site, tries, issued_on, history(rng, issued_on, run.today))
