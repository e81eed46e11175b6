"""Long ``IN`` lists cut into parts a database takes in one statement (SQLite binds at most
32,766 parameters; PostgreSQL plans a short list better)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
IN_LIST = 500  # values per IN list


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """``items`` in consecutive lists of at most ``size``, in order."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
