"""Small status machines: a table of allowed moves and a label per status, one per record kind.

Used for the review (复审) applications, the manual identity reviews (人工审核) and the clues about
fake certificates (假证线索); the certificate itself has :mod:`opcert.domain.certificate_states`
and the certificate application :mod:`opcert.domain.applications`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from opcert.domain.errors import Conflict

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class StatusTable(Generic[S]):
    """``moves`` maps each status to the statuses one step away; ``labels`` gives each status
    its Chinese and English words; ``noun`` names the record (Chinese, English)."""

    kind: type[S]
    noun: tuple[str, str]
    moves: Mapping[S, frozenset[S]]
    labels: Mapping[S, tuple[str, str]]

    def __post_init__(self) -> None:
        missing = set(self.kind) - set(self.moves) | set(self.kind) - set(self.labels)
        if missing:
            raise ValueError(f"status table for {self.noun[1]} misses {sorted(missing)}")

    def allowed(self, current: S | str, target: S | str) -> bool:
        return self.kind(target) in self.moves[self.kind(current)]

    def move(self, current: S | str, target: S | str) -> S:
        """``target`` as the status, when the table allows the move from ``current``.

        Raises ``Conflict`` (``STATUS_MOVE_NOT_ALLOWED``) naming both statuses otherwise, and
        ``ValueError`` for a value that is no status of this kind."""
        now, then = self.kind(current), self.kind(target)
        if then not in self.moves[now]:
            noun_zh, noun_en = self.noun
            raise Conflict(
                "STATUS_MOVE_NOT_ALLOWED",
                f"{noun_zh}当前为「{self.labels[now][0]}」，不能改为「{self.labels[then][0]}」",
                f"the {noun_en} is {self.labels[now][1]}; it cannot become {self.labels[then][1]}",
            )
        return then

    def is_final(self, status: S | str) -> bool:
        return not self.moves[self.kind(status)]
