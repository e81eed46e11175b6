"""Freshness and rollback of status lists (spec sections 5 and 6, step 7).

A list past its `exp` (or without one) no longer speaks for the present. A verifier remembers
the highest `rev` it accepted per `list_id` and refuses an older list, so that an attacker who
kept yesterday's list (before a revocation) cannot replay it. `RevisionMemory` is that memory;
`RevisionFile` keeps it in a small JSON file for the CLI, written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from opcert.credential.statuslist import StatusList

MAX_STATE_BYTES = 4 * 1024 * 1024


class RevisionMemory(Protocol):
    """The highest `rev` accepted per `list_id`."""

    def highest(self, list_id: str) -> int | None: ...

    def accept(self, status_list: StatusList) -> None: ...


def list_problem(
    status_list: StatusList, now: float, revisions: RevisionMemory | None
) -> str | None:
    """Why a verified status list cannot be used at `now` (STATUS_UNKNOWN), or None.

    "LIST_EXPIRED": past its `exp`, or it has none. "ROLLED_BACK": no `rev`, or a `rev` older
    than the highest accepted for that list.
    """
    if status_list.expired(now):
        return "LIST_EXPIRED"
    if revisions is not None:
        highest = revisions.highest(status_list.list_id)
        if status_list.rev is None or (highest is not None and status_list.rev < highest):
            return "ROLLED_BACK"
    return None


class RevisionsInMemory:
    """A `RevisionMemory` for one process (tests, a long-running verifier)."""

    def __init__(self, revisions: Mapping[str, int] | None = None) -> None:
        self.revisions: dict[str, int] = dict(revisions or {})

    def highest(self, list_id: str) -> int | None:
        return self.revisions.get(list_id)

    def accept(self, status_list: StatusList) -> None:
        if status_list.rev is not None and status_list.rev > self.revisions.get(
            status_list.list_id, -1
        ):
            self.revisions[status_list.list_id] = status_list.rev


class RevisionFile(RevisionsInMemory):
    """A `RevisionMemory` kept in a JSON file `{"status_revisions": {list_id: rev}}`.

    `load` raises ValueError for a file that exists but is not such a document (a damaged
    memory must not silently forget what it accepted), OSError when it cannot be read. `save`
    writes a temporary file in the same directory, fsyncs it and renames it over the old one,
    so a reader never sees half a file.
    """

    def __init__(self, path: Path, revisions: Mapping[str, int] | None = None) -> None:
        super().__init__(revisions)
        self.path = path
        self._saved = dict(self.revisions)

    @classmethod
    def load(cls, path: Path) -> RevisionFile:
        try:
            if path.stat().st_size > MAX_STATE_BYTES:
                raise ValueError(f"verifier state file too large: {path}")
            data = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        try:
            document = json.loads(data.decode("utf-8"))
            revisions = document["status_revisions"]
            if not isinstance(revisions, dict) or not all(
                isinstance(k, str) and type(v) is int and v >= 0 for k, v in revisions.items()
            ):
                raise ValueError
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            raise ValueError(f"verifier state file is damaged: {path}") from None
        return cls(path, revisions)

    def save(self) -> None:
        """Write the memory if it changed (see the class doc)."""
        if self.revisions == self._saved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"status_revisions": self.revisions}, sort_keys=True, indent=1)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}.tmp")
        try:
            with open(temporary, "x", encoding="utf-8") as file:
                file.write(body)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        self._saved = dict(self.revisions)
