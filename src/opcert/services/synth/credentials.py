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
from datetime import date, datetime, time
from typing import Any

from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import Signer, kid_b64
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import ENTRIES_PER_LIST
from opcert.domain.clock import SHANGHAI
from opcert.services.statuslists import FILL_RATIO
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


def signed(
    signer: Signer,
    issuer: str,
    certificate: dict[str, Any],
    version: Version,
    slot: tuple[str, int],
    cti: bytes,
) -> tuple[int, str]:
    """(iat, SC1 text) of one version of ``certificate`` (a row of ``certificates``)."""
    iat = int(datetime.combine(version.created_on, time(9), SHANGHAI).timestamp())
    claims = CertificateClaims(
        typ="SO",
        no=certificate["number"],
        nam=certificate["name"],
        sex=certificate["sex"],
        cat=certificate["category_code"],
        itm=certificate["item_code"],
        itn=certificate["item_name"],
        fst=certificate["first_issued_on"].isoformat(),
        vfr=version.valid_from.isoformat(),
        vto=version.valid_to.isoformat(),
        rvd=_iso(version.review_due),
        aut=certificate["authority_name"],
        rs=version.rule_set,
        st=slot,
        extra={"rvo": version.reviewed_on.isoformat()} if version.reviewed_on else {},
    )
    payload = CredentialPayload(issuer, iat, exp_for(version.valid_to), cti, claims)
    return iat, encode(payload, signer)


def kid(signer: Signer) -> str:
    return kid_b64(signer.kid)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
