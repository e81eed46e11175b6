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


class Unsigned(NamedTuple):
    """What one version's credential says, before signing: plain strings and numbers only, so
    it pickles cheaply to a worker process (``signing``)."""

    issuer: str
    iat: int
    exp: int
    cti: bytes
    claims: tuple[Any, ...]
    # no, nam, sex, cat, itm, itn, fst, vfr, vto, rvd, aut, rs, list id, list index, rvo


def unsigned(
    issuer: str,
    certificate: dict[str, Any],
    authority_name: str,
    version: Version,
    slot: tuple[str, int],
    cti: bytes,
) -> Unsigned:
    """The credential of ``version`` of ``certificate`` (a row of ``certificates``)."""
    c, v = certificate, version
    claims = (
        c["number"], c["name"], c["sex"], c["category_code"], c["item_code"], c["item_name"],
        c["first_issued_on"].isoformat(), v.valid_from.isoformat(), v.valid_to.isoformat(),
        _iso(v.review_due), authority_name, v.rule_set, slot[0], slot[1], _iso(v.reviewed_on),
    )  # fmt: skip
    return Unsigned(issuer, iat(version), exp_for(version.valid_to), cti, claims)


def iat(version: Version) -> int:
    """Issued-at of a synthetic version: 09:00 Asia/Shanghai on the day it was created."""
    return int(datetime.combine(version.created_on, time(9), SHANGHAI).timestamp())


def sign(signer: Signer, job: Unsigned) -> str:
    """The SC1 text of ``job``, signed with ``signer`` exactly as issuance would."""
    no, nam, sex, cat, itm, itn, fst, vfr, vto, rvd, aut, rs, list_id, index, rvo = job.claims
    claims = CertificateClaims(
        typ="SO",
        no=no,
        nam=nam,
        sex=sex,
        cat=cat,
        itm=itm,
        itn=itn,
        fst=fst,
        vfr=vfr,
        vto=vto,
        rvd=rvd,
        aut=aut,
        rs=rs,
        st=(list_id, index),
        extra={"rvo": rvo} if rvo else {},
    )
    payload = CredentialPayload(job.issuer, job.iat, job.exp, job.cti, claims)
    return encode(payload, signer)


def kid(signer: Signer) -> str:
    return kid_b64(signer.kid)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
