"""Table rows for a chunk of planned holders, with reserved ids and signed credentials."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from opcert.credential.keys import Signer
from opcert.domain.catalogue import catalogue
from opcert.domain.certificates import certificate_number
from opcert.domain.clock import SHANGHAI
from opcert.services.issuance.minting import Unsigned
from opcert.services.synth import credentials
from opcert.services.synth.anomalies import far_travel_label
from opcert.services.synth.credentials import SlotAllocator
from opcert.services.synth.plans import PlannedCertificate, PlannedHolder

STATE_REASONS = {
    "revoked": "以欺骗手段取得证书（合成数据）",
    "cancelled": "持证人申请注销（合成数据）",
    "suspended": "违章作业，暂停使用（合成数据）",
}


@dataclass
class ChunkRows:
    persons: list[dict[str, Any]] = field(default_factory=list)
    exam_results: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    credential_versions: list[dict[str, Any]] = field(default_factory=list)
    synth_anomalies: list[dict[str, Any]] = field(default_factory=list)
    unsigned: list[Unsigned] = field(default_factory=list)  # one per version row

    def signed(self, texts: list[str]) -> None:
        """Fill each version row's ``sc1`` with its signed text, in order."""
        if len(texts) != len(self.credential_versions):
            raise ValueError("one signed text is needed for each credential version")
        for row, sc1 in zip(self.credential_versions, texts, strict=True):
            row["sc1"] = sc1
        self.unsigned = []

    def tables(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(table, rows) in foreign-key order."""
        return [
            ("persons", self.persons),
            ("exam_results", self.exam_results),
            ("certificates", self.certificates),
            ("credential_versions", self.credential_versions),
            ("synth_anomalies", self.synth_anomalies),
        ]


@dataclass(frozen=True)
class Issuing:
    """How rows learn who issues: authority per exam-point region, signer per issuer."""

    authority: Callable[[str], tuple[str, str, str]]  # region -> (code, issuer, name)
    signer: Callable[[str], Signer]
    slots: SlotAllocator


def counts(planned: list[PlannedHolder], exams_only: bool = False) -> dict[str, int]:
    """How many ids each table needs for these holders (``exams_only``: persons and results)."""
    certificates = [c for p in planned for c in p.certificates]
    needed = {
        "persons": len(planned),
        "exam_results": sum(len(c.attempts) for c in certificates),
    }
    if not exams_only:
        needed["certificates"] = len(certificates)
        needed["credential_versions"] = sum(len(c.life.versions) for c in certificates)
    return needed


def build(
    planned: list[PlannedHolder],
    ids: dict[str, Iterator[int]],
    issuing: Issuing,
    rng: random.Random,
    seed: int,
    now: datetime,
    exams_only: bool = False,
) -> ChunkRows:
    """Every row of a chunk; ``ids`` yields the reserved ids of each table in order. The version
    rows wait for their ``sc1`` text: sign ``unsigned`` (``signing``) and call ``signed``.
    ``exams_only`` builds the persons, results and labels alone (the same rows as a full run)."""
    out = ChunkRows()
    for person in planned:
        h = person.holder
        person_id = next(ids["persons"])
        first = min(a.exam_on for c in person.certificates for a in c.attempts)
        out.persons.append(
            {"id": person_id, "id_number": h.id_number, "name": h.name, "sex": h.sex,
             "birth_on": h.birth_on, "division": h.division, "phone": None,
             "created_at": _at(first), "updated_at": _at(first)}
        )  # fmt: skip
        earliest = _first_attempts(person)
        for planned_certificate in person.certificates:
            _results(out, person, person_id, planned_certificate, ids, seed, earliest)
            if not exams_only:
                _certificate(out, person, planned_certificate, ids, issuing, rng)
        if person.far:
            site = person.certificates[0].site
            year = person.certificates[0].issued_on.year
            out.synth_anomalies.append(
                far_travel_label(h.id_number, h.province, site, year, seed, now)
            )
    return out


def _results(
    out: ChunkRows,
    person: PlannedHolder,
    person_id: int,
    planned: PlannedCertificate,
    ids: dict[str, Iterator[int]],
    seed: int,
    earliest: dict[str, date],
) -> None:
    h = person.holder
    for attempt in planned.attempts:
        first = earliest.get(planned.item) == attempt.exam_on
        if first:
            del earliest[planned.item]  # one first attempt an item, as filing marks it
        result_id = next(ids["exam_results"])
        ref = f"SYN{seed}-{result_id}"
        outcome = "issued" if attempt.passed else "failed"
        out.exam_results.append(
            {"id": result_id, "institution_id": planned.site.institution_id, "ref": ref,
             "content_hash": hashlib.sha256(ref.encode()).hexdigest(), "person_id": person_id,
             "id_number": h.id_number, "name": h.name, "item_code": planned.item,
             "catalogue_version": catalogue().version, "theory_score": float(attempt.theory),
             "practical_score": float(attempt.practical), "exam_on": attempt.exam_on,
             "exam_point_id": planned.site.id, "training_institution": None, "education": None,
             "phone": None, "rule_set": planned.life.versions[0].rule_set,
             "passed": attempt.passed, "outcome": outcome,
             "response": {"ref": ref, "outcome": outcome}, "application_id": None,
             "received_at": _at(attempt.exam_on), "first_attempt": first,
             "home_division": h.division}
        )  # fmt: skip


def _first_attempts(person: PlannedHolder) -> dict[str, date]:
    """The date of the person's earliest exam in each item (its results get ids in plan order,
    so on that date the first planned is the first attempt, as filing would mark it)."""
    earliest: dict[str, date] = {}
    for planned in person.certificates:
        for attempt in planned.attempts:
            known = earliest.get(planned.item)
            if known is None or attempt.exam_on < known:
                earliest[planned.item] = attempt.exam_on
    return earliest


def _certificate(
    out: ChunkRows,
    person: PlannedHolder,
    planned: PlannedCertificate,
    ids: dict[str, Iterator[int]],
    issuing: Issuing,
    rng: random.Random,
) -> None:
    h, life = person.holder, planned.life
    item = catalogue().item(planned.item)
    code, issuer, authority_name = issuing.authority(planned.site.region)
    certificate_id = next(ids["certificates"])
    version_ids = [next(ids["credential_versions"]) for _ in life.versions]
    current = life.current
    row = {
        "id": certificate_id, "number": certificate_number(h.id_number, "SO"), "typ": "SO",
        "id_number": h.id_number, "name": h.name, "sex": h.sex,
        "category_code": item.category_code, "item_code": item.code, "item_name": item.name_zh,
        "catalogue_version": catalogue().version, "rule_set": current.rule_set,
        "authority_code": code, "first_issued_on": life.first_issued_on,
        "valid_from": current.valid_from, "valid_to": current.valid_to,
        "review_due_on": current.review_due, "reviewed_on": current.reviewed_on,
        "state": life.state, "state_reason": STATE_REASONS.get(life.state),
        "state_changed_at": _at(life.state_changed_on) if life.state_changed_on else None,
        "application_id": None, "issued_at": _at(current.created_on),
        "current_version_id": version_ids[-1],
    }  # fmt: skip
    out.certificates.append(row)
    kid = credentials.kid(issuing.signer(issuer))
    for number, (version, version_id) in enumerate(zip(life.versions, version_ids, strict=True)):
        slot = issuing.slots.take(issuer)
        cti = rng.getrandbits(128).to_bytes(16, "big")
        job = credentials.unsigned(issuer, row, authority_name, version, slot, cti)
        out.unsigned.append(job)
        out.credential_versions.append(
            {"id": version_id, "certificate_id": certificate_id, "version": number + 1,
             "cti": cti.hex(), "kid": kid, "issuer": issuer, "iat": job.iat,
             "sc1": None, "list_id": slot[0], "list_index": slot[1],
             "status_value": int(version.status_value), "created_at": _at(version.created_on)}
        )  # fmt: skip


def _at(day: date) -> datetime:
    """09:00 Asia/Shanghai on ``day``: when the synthetic act happened."""
    return datetime.combine(day, time(9), SHANGHAI)
