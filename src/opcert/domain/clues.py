"""Clues about suspected fake certificates (假证线索): filed open, closed once handled."""

from __future__ import annotations

from enum import StrEnum

from opcert.domain.status_tables import StatusTable


class ClueStatus(StrEnum):
    """The values of ``clues.status``."""

    OPEN = "open"
    HANDLED = "handled"


CLUE_STATUSES: StatusTable[ClueStatus] = StatusTable(
    ClueStatus,
    ("线索", "clue"),
    {ClueStatus.OPEN: frozenset({ClueStatus.HANDLED}), ClueStatus.HANDLED: frozenset()},
    {ClueStatus.OPEN: ("待处理", "open"), ClueStatus.HANDLED: ("已处理", "handled")},
)
