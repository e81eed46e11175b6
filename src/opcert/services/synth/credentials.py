"""Signed SC1 credentials for synthetic versions, and their status-list slots.

Every version is signed with its issuer's active key, exactly as issuance would (decision 0007):
the data set can then be exported and verified like real data. Slots are drawn here, not through
``StatusListService.allocate`` (one locked query per batch): for each issuer a list of 65,536
entries gets half its indexes drawn at random up front, handed out in order, and the next list
is opened when it is used up. The ``status_lists`` rows written at the end match, so the online
allocator carries on where the generator stopped.
"""

from __future__ import annotations

import random
from datetime import datetime, time
from typing import Any

from opcert.credential.keys import Signer, kid_b64
from opcert.credential.statuslist import ENTRIES_PER_LIST
from opcert.domain.clock import SHANGHAI
from opcert.services.issuance.minting import ClaimFacts, Unsigned
from opcert.services.kernel.statuslists import FILL_RATIO
from opcert.services.synth.histories import Version


class SlotAllocator:
    """Random status-list indexes per issuer, without repeats; deterministic for a seed."""

    def __init__(self, seed: int, entries: int = ENTRIES_PER_LIST) -> None:
        self.seed = seed
        self.entries = entries
        self._lists: dict[str, int] = {}  # issuer -> lists opened
        self._free: dict[str, list[int]] = {}

    def take(self, issuer: str) -> tuple[str, int]:
        """The next slot ``(list_id, index)`` of ``issuer``."""
        free = self._free.get(issuer)
        if not free:
            number = self._lists.get(issuer, 0) + 1
            self._lists[issuer] = number
            rng = random.Random(f"{self.seed}:slots:{issuer}:{number}")
            free = rng.sample(range(self.entries), int(self.entries * FILL_RATIO))
            free.reverse()
            self._free[issuer] = free
        return f"{issuer}-{self._lists[issuer]:04d}", free.pop()

    def rows(self, now: datetime) -> list[dict[str, Any]]:
        """``status_lists`` rows for every list opened, with the number of entries handed out."""
        half = int(self.entries * FILL_RATIO)
        rows = []
        for issuer, count in sorted(self._lists.items()):
            for number in range(1, count + 1):
                left = len(self._free[issuer]) if number == count else 0
                rows.append(
                    {
                        "list_id": f"{issuer}-{number:04d}",
                        "issuer": issuer,
                        "entries": self.entries,
                        "allocated": half - left,
                        "revision": 1,
                        "updated_at": now,
                    }
                )
        return rows


def unsigned(
    issuer: str,
    certificate: dict[str, Any],
    authority_name: str,
    version: Version,
    slot: tuple[str, int],
    cti: bytes,
) -> Unsigned:
    """The credential of ``version`` of ``certificate`` (a row of ``certificates``), to be signed
    by ``minting.sign`` (here or in a worker): the claims are ``minting.claims_for``'s."""
    c, v = certificate, version
    facts = ClaimFacts(
        c["typ"], c["number"], c["name"], c["sex"], c["category_code"], c["item_code"],
        c["item_name"], c["first_issued_on"], v.valid_from, v.valid_to, v.review_due,
        v.reviewed_on, authority_name, v.rule_set,
    )  # fmt: skip
    return Unsigned(issuer, iat(version), cti, slot, facts)


def iat(version: Version) -> int:
    """Issued-at of a synthetic version: 09:00 Asia/Shanghai on the day it was created."""
    return int(datetime.combine(version.created_on, time(9), SHANGHAI).timestamp())


def kid(signer: Signer) -> str:
    return kid_b64(signer.kid)
