"""The public directory of exam and training institutions: filter by region and item, sort by
distance from a chosen point (great-circle distance on their latitude and longitude)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from opcert.domain.identity import division_name
from opcert.services.kernel.context import ServiceContext

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Listing:
    code: str
    name: str
    kind: str
    region: str
    region_name: str
    address: str
    items: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    active: bool


@dataclass(frozen=True)
class _Row:
    id: int
    code: str
    name: str
    kind: str
    region: str
    address: str
    latitude: float | None
    longitude: float | None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def institutions(
    ctx: ServiceContext,
    *,
    region: str = "",
    item: str = "",
    near: tuple[float, float] | None = None,
) -> list[Listing]:
    """Active institutions whose region starts with ``region`` and (for exam institutions) whose
    exam points cover ``item``; nearest first when ``near`` is given, else by region and name."""
    with ctx.uow() as uow:
        points = uow.registry.all_exam_points()
        items_of: dict[int, set[str]] = {}
        for point in points:
            items_of.setdefault(point.institution_id, set()).update(point.items or ["*"])
        rows = [
            _Row(r.id, r.code, r.name, r.kind, r.region, r.address or "", r.latitude, r.longitude)
            for r in uow.registry.institutions()
            if r.active
        ]
    listings = []
    for row in rows:
        covered = items_of.get(row.id, set())
        if region and not row.region.startswith(region.rstrip("0")):
            continue
        if item and not ({item, "*"} & covered):
            continue
        distance = None
        if near and row.latitude is not None and row.longitude is not None:
            distance = round(distance_km(near[0], near[1], row.latitude, row.longitude), 1)
        listings.append(
            Listing(
                row.code,
                row.name,
                row.kind,
                row.region,
                division_name(row.region) or row.region,
                row.address,
                tuple(sorted(covered)),
                row.latitude,
                row.longitude,
                distance,
                True,
            )
        )
    if near:
        return sorted(listings, key=lambda x: (x.distance_km is None, x.distance_km or 0.0))
    return sorted(listings, key=lambda x: (x.region, x.name))


def provinces(ctx: ServiceContext) -> list[tuple[str, str]]:
    """The provinces that have at least one active institution, for the region filter."""
    with ctx.uow() as uow:
        codes = {r.region[:2] + "0000" for r in uow.registry.institutions() if r.active}
    return sorted((code, division_name(code) or code) for code in codes)
