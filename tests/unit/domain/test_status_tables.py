"""The small status tables: review applications (复审), identity reviews (人工审核), clues."""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest

from opcert.domain.clues import CLUE_STATUSES, ClueStatus
from opcert.domain.errors import Conflict
from opcert.domain.identity_reviews import IDENTITY_REVIEW_STATUSES, IdentityReviewStatus
from opcert.domain.reviews import REVIEW_STATUSES, ReviewStatus
from opcert.domain.status_tables import StatusTable

R, IR, C = ReviewStatus, IdentityReviewStatus, ClueStatus
TABLES = {
    "review": REVIEW_STATUSES,
    "identity_review": IDENTITY_REVIEW_STATUSES,
    "clue": CLUE_STATUSES,
}
ALLOWED = {
    "review": {(R.PENDING, R.PASSED), (R.PENDING, R.RETRAIN), (R.PENDING, R.FAILED)},
    "identity_review": {(IR.PENDING, IR.APPROVED), (IR.PENDING, IR.REJECTED)},
    "clue": {(C.OPEN, C.HANDLED)},
}
CASES = [
    (name, now, then)
    for name, table in TABLES.items()
    for now, then in itertools.product(table.kind, repeat=2)
]


@pytest.mark.parametrize(
    ("name", "now", "then"), CASES, ids=[f"{n}-{a.value}-{b.value}" for n, a, b in CASES]
)
def test_every_pair_of_statuses_is_allowed_exactly_when_agreed(name, now, then):
    table = TABLES[name]
    if (now, then) in ALLOWED[name]:
        assert table.move(now.value, then.value) is then
        return
    with pytest.raises(Conflict) as refused:
        table.move(now, then)
    assert refused.value.code == "STATUS_MOVE_NOT_ALLOWED"
    assert f"「{table.labels[now][0]}」" in refused.value.message_zh
    assert f"「{table.labels[then][0]}」" in refused.value.message_zh
    assert f"is {table.labels[now][1]}; it cannot become {table.labels[then][1]}" in (
        refused.value.message_en
    )


def test_the_stored_values_are_the_ones_the_tables_already_hold():
    assert [s.value for s in R] == ["pending", "passed", "retrain", "failed"]
    assert [s.value for s in IR] == ["pending", "approved", "rejected"]
    assert [s.value for s in C] == ["open", "handled"]


def test_a_decided_identity_review_is_final():
    assert IDENTITY_REVIEW_STATUSES.is_final(IR.APPROVED)
    assert not IDENTITY_REVIEW_STATUSES.is_final(IR.PENDING)


def test_a_table_that_forgets_a_status_is_refused_when_built():
    class Light(StrEnum):
        ON = "on"
        OFF = "off"

    with pytest.raises(ValueError, match="misses"):
        StatusTable(Light, ("灯", "light"), {Light.ON: frozenset()}, {Light.ON: ("开", "on")})
