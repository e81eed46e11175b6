"""The exam institutions (one per province) and exam points of the synthetic data set."""

from __future__ import annotations

import random
from datetime import datetime

from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.synth.exams import Site, plan_sites
from opcert.services.synth.geography import PROVINCES


def write_sites(uow: UnitOfWork, rng: random.Random, now: datetime) -> list[Site]:
    """Insert the institutions and exam points; return the points as the generator uses them.

    Institution ``i`` of ``PROVINCES`` gets the i-th reserved id, and so on for points, so the
    plan is the same on every backend even if the ids differ.
    """
    institution_ids = uow.synth.reserve_ids("institutions", len(PROVINCES))
    planned = plan_sites(rng, 0, 0)
    point_ids = uow.synth.reserve_ids("exam_points", len(planned))
    institutions = [
        {"id": institution_ids[n], "code": f"SYN-EXAM-{p.code}0000",
         "name": f"{p.name}安全生产考试中心（合成数据）", "kind": "exam", "region": f"{p.code}0000",
         "credit_code": None, "address": None, "phone": None, "latitude": p.lat,
         "longitude": p.lon, "active": True, "created_at": now}
        for n, p in enumerate(PROVINCES)
    ]  # fmt: skip
    sites = [
        Site(point_ids[s.id], s.code, institution_ids[s.institution_id], s.province, s.region,
             s.lat, s.lon)
        for s in planned
    ]  # fmt: skip
    points = [
        {"id": s.id, "code": s.code, "institution_id": s.institution_id,
         "name": f"{s.code[-4:]}号考试点（合成数据）", "region": s.region, "items": None,
         "address": None, "latitude": s.lat, "longitude": s.lon, "active": True,
         "created_at": now}
        for s in sites
    ]  # fmt: skip
    uow.synth.insert("institutions", institutions)
    uow.synth.insert("exam_points", points)
    # --- holds --- every synthetic point is accredited for every item it examines (all of
    # them): a standardised point, real equipment, examination apart from training, no dates.
    accreditation_ids = uow.synth.reserve_ids("exam_point_accreditations", len(sites))
    uow.synth.insert(
        "exam_point_accreditations",
        [
            {"id": n, "exam_point_id": s.id, "item_code": None, "standardised": True,
             "real_equipment": True, "training_separated": True, "accredited_from": None,
             "accredited_to": None, "recorded_by": "synth", "recorded_at": now}
            for n, s in zip(accreditation_ids, sites, strict=True)
        ],
    )  # fmt: skip
    return sites
