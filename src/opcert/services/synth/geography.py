"""Where holders live and sit exams: the 31 provinces, weighted by population, and their counties.

Populations are the 2020 census (millions); coordinates are those of each provincial capital,
enough to tell a neighbour from a candidate who crossed the country. County codes come from
python-stdnum's division database through ``opcert.domain.divisions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from opcert.domain.divisions import county_codes, province_name


@dataclass(frozen=True)
class Province:
    code: str  # two digits
    population: float  # millions
    lat: float
    lon: float

    @property
    def name(self) -> str:
        return province_name(self.code) or self.code


PROVINCES: tuple[Province, ...] = tuple(
    Province(code, population, lat, lon)
    for code, population, lat, lon in (
        ("11", 21.9, 39.90, 116.40), ("12", 13.9, 39.13, 117.20), ("13", 74.6, 38.04, 114.51),
        ("14", 34.9, 37.87, 112.55), ("15", 24.0, 40.84, 111.75), ("21", 42.6, 41.80, 123.43),
        ("22", 24.1, 43.82, 125.32), ("23", 31.9, 45.80, 126.53), ("31", 24.9, 31.23, 121.47),
        ("32", 84.7, 32.06, 118.80), ("33", 64.6, 30.27, 120.16), ("34", 61.0, 31.82, 117.23),
        ("35", 41.5, 26.07, 119.30), ("36", 45.2, 28.68, 115.86), ("37", 101.5, 36.65, 117.12),
        ("41", 99.4, 34.75, 113.63), ("42", 57.8, 30.59, 114.31), ("43", 66.4, 28.23, 112.94),
        ("44", 126.0, 23.13, 113.26), ("45", 50.1, 22.82, 108.37), ("46", 10.1, 20.04, 110.34),
        ("50", 32.1, 29.56, 106.55), ("51", 83.7, 30.57, 104.07), ("52", 38.6, 26.65, 106.63),
        ("53", 47.2, 25.04, 102.71), ("54", 3.6, 29.65, 91.17), ("61", 39.5, 34.34, 108.94),
        ("62", 25.0, 36.06, 103.83), ("63", 5.9, 36.62, 101.78), ("64", 7.2, 38.49, 106.23),
        ("65", 25.9, 43.83, 87.62),
    )
)  # fmt: skip
BY_CODE = {p.code: p for p in PROVINCES}
WEIGHTS = [p.population for p in PROVINCES]

# Farther than this from home is implausible for a special-operation exam (the nearest exam
# point is in one's own province).
FAR_KM = 1500.0


def distance_km(a: Province, b: Province) -> float:
    """Great-circle distance between two provincial capitals (haversine, R = 6371 km)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@cache
def far_provinces(code: str) -> tuple[Province, ...]:
    """Provinces whose capital is more than ``FAR_KM`` from the capital of ``code``."""
    home = BY_CODE[code]
    return tuple(p for p in PROVINCES if distance_km(home, p) > FAR_KM)


@cache
def counties(code: str) -> tuple[str, ...]:
    """County codes of a province; never empty (falls back to the province's own code)."""
    return county_codes(code) or (code + "0100",)
