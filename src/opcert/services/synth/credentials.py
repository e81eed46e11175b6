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
from typing import Any, NamedTuple

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


class Unsigned(NamedTuple):
    """What one version's credential says, before signing: small and picklable, so it can be
    signed in a worker process (``signing``)."""

    issuer: str
    certificate: tuple[str, str, int, str | None, str, str, date, str]
    # number, name, sex, category_code, item_code, item_name, first_issued_on, authority_name
    version: Version
    slot: tuple[str, int]
    cti: bytes


def unsigned(
    issuer: str,
    certificate: dict[str, Any],
    authority_name: str,
    version: Version,
    slot: tuple[str, int],
    cti: bytes,
) -> Unsigned:
    """The credential of ``version`` of ``certificate`` (a row of ``certificates``)."""
    c = certificate
    fields = (
        c["number"], c["name"], c["sex"], c["category_code"], c["item_code"], c["item_name"],
        c["first_issued_on"], authority_name,
    )  # fmt: skip
    return Unsigned(issuer, fields, version, slot, cti)


def iat(version: Version) -> int:
    """Issued-at of a synthetic version: 09:00 Asia/Shanghai on the day it was created."""
    return int(datetime.combine(version.created_on, time(9), SHANGHAI).timestamp())


def sign(signer: Signer, job: Unsigned) -> str:
    """The SC1 text of ``job``, signed with ``signer`` exactly as issuance would."""
    number, name, sex, category, item, item_name, first, authority_name = job.certificate
    version = job.version
    claims = CertificateClaims(
        typ="SO",
        no=number,
        nam=name,
        sex=sex,
        cat=category,
        itm=item,
        itn=item_name,
        fst=first.isoformat(),
        vfr=version.valid_from.isoformat(),
        vto=version.valid_to.isoformat(),
        rvd=_iso(version.review_due),
        aut=authority_name,
        rs=version.rule_set,
        st=job.slot,
        extra={"rvo": version.reviewed_on.isoformat()} if version.reviewed_on else {},
    )
    payload = CredentialPayload(
        job.issuer, iat(version), exp_for(version.valid_to), job.cti, claims
    )
    return encode(payload, signer)


def kid(signer: Signer) -> str:
    return kid_b64(signer.kid)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
