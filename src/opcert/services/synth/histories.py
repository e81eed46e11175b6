"""A certificate's life from issue to today: renewals, ORDER30 reviews, recorded acts.

Each history yields the credential versions the platform would have signed along the way and
the recorded state, so the data set holds certificates in every state: valid, expired, lapsed
for a missed ORDER30 review (computed from ``review_due_on``, as the platform does), revoked,
cancelled, suspended, and superseded versions after renewals and passed reviews.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from opcert.domain.certificates import StatusCode, certificate_dates, superseded
from opcert.domain.lifecycle import lapse_cutoff
from opcert.domain.rules import rule_set_for

RENEWED = 0.55  # expired certificates renewed (换证) before the end of validity
REVIEWED = 0.8  # ORDER30 reviews made in time; the rest lapse
# Recorded acts, cumulative: revoked, cancelled, suspended.
ACTS = (("revoked", 0.006), ("cancelled", 0.016), ("suspended", 0.019))
ACT_STATUS = {"revoked": StatusCode.VOID, "cancelled": StatusCode.VOID}


@dataclass(slots=True)
class Version:
    created_on: date
    rule_set: str
    valid_from: date
    valid_to: date
    review_due: date | None
    reviewed_on: date | None = None
    status_value: int = StatusCode.IN_FORCE


@dataclass(slots=True)
class History:
    first_issued_on: date
    versions: list[Version]
    state: str = "active"
    state_changed_on: date | None = None

    @property
    def current(self) -> Version:
        return self.versions[-1]


def history(rng: random.Random, issued_on: date, today: date) -> History:
    """The life of a certificate issued on ``issued_on``, as it stands on ``today``."""
    life = History(issued_on, [_issued(issued_on)])
    if life.current.valid_to < today and rng.random() < RENEWED:
        renew_on = life.current.valid_to - timedelta(days=rng.randint(1, 60))
        _supersede(life, _issued(renew_on))
    due = life.current.review_due
    if due is not None and due < lapse_cutoff(today) and rng.random() < REVIEWED:
        reviewed_on = max(life.current.valid_from, due - timedelta(days=rng.randint(0, 55)))
        previous = life.current
        _supersede(
            life,
            Version(reviewed_on, previous.rule_set, previous.valid_from, previous.valid_to, None),
        )
        life.current.reviewed_on = reviewed_on
    _recorded_act(rng, life, today)
    return life


def _issued(on: date) -> Version:
    rules = rule_set_for(on)
    dates = certificate_dates(rules, on)
    return Version(on, rules.id.value, dates.valid_from, dates.valid_to, dates.review_due)


def _supersede(life: History, new: Version) -> None:
    life.current.status_value = superseded(life.current.status_value)
    life.versions.append(new)


def _recorded_act(rng: random.Random, life: History, today: date) -> None:
    draw = rng.random()
    for state, threshold in ACTS:
        if draw < threshold:
            life.state = state
            span = max(1, (today - life.current.created_on).days)
            life.state_changed_on = life.current.created_on + timedelta(days=rng.randrange(span))
            life.current.status_value = ACT_STATUS.get(state, StatusCode.SUSPENDED)
            return
