"""Where holders live and sit exams: the 31 provinces, weighted by population, and their counties.

Populations are the 2020 census (millions); coordinates are those of each provincial capital,
enough to tell a neighbour from a candidate who crossed the country. County codes come from
python-stdnum's division database through ``opcert.domain.divisions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from opcert.domain.divisions import county_codes, province_name
from opcert.domain.geography import CAPITALS, great_circle_km


@dataclass(frozen=True)
class Province:
    code: str  # two digits
    population: float  # millions
    lat: float
    lon: float

    @property
    def name(self) -> str:
        return province_name(self.code) or self.code


# 2020 census populations (millions); the capitals' coordinates come from the domain.
POPULATIONS = {
    "11": 21.9, "12": 13.9, "13": 74.6, "14": 34.9, "15": 24.0, "21": 42.6, "22": 24.1,
    "23": 31.9, "31": 24.9, "32": 84.7, "33": 64.6, "34": 61.0, "35": 41.5, "36": 45.2,
    "37": 101.5, "41": 99.4, "42": 57.8, "43": 66.4, "44": 126.0, "45": 50.1, "46": 10.1,
    "50": 32.1, "51": 83.7, "52": 38.6, "53": 47.2, "54": 3.6, "61": 39.5, "62": 25.0,
    "63": 5.9, "64": 7.2, "65": 25.9,
}  # fmt: skip
PROVINCES: tuple[Province, ...] = tuple(
    Province(code, population, *CAPITALS[code]) for code, population in POPULATIONS.items()
)
BY_CODE = {p.code: p for p in PROVINCES}
WEIGHTS = [p.population for p in PROVINCES]

# Farther than this from home is implausible for a special-operation exam (the nearest exam
# point is in one's own province).
FAR_KM = 1500.0


def distance_km(a: Province, b: Province) -> float:
    """Great-circle distance between two provincial capitals."""
    return great_circle_km((a.lat, a.lon), (b.lat, b.lon))


@cache
def far_provinces(code: str) -> tuple[Province, ...]:
    """Provinces whose capital is more than ``FAR_KM`` from the capital of ``code``."""
    home = BY_CODE[code]
    return tuple(p for p in PROVINCES if distance_km(home, p) > FAR_KM)


@cache
def counties(code: str) -> tuple[str, ...]:
    """County codes of a province; never empty (falls back to the province's own code)."""
    return county_codes(code) or (code + "0100",)
