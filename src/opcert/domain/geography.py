"""Where China's 31 provinces are, near enough to tell a neighbour from a candidate who crossed
the country: the coordinates of each provincial capital and the great-circle distance between
two of them. Used by the exam-data analysis (a candidate examined far from home) and by the
synthetic data (which places its far-travelling candidates by the same measure)."""

from __future__ import annotations

import math

# Two-digit province code -> (latitude, longitude) of its capital.
CAPITALS: dict[str, tuple[float, float]] = {
    "11": (39.90, 116.40), "12": (39.13, 117.20), "13": (38.04, 114.51), "14": (37.87, 112.55),
    "15": (40.84, 111.75), "21": (41.80, 123.43), "22": (43.82, 125.32), "23": (45.80, 126.53),
    "31": (31.23, 121.47), "32": (32.06, 118.80), "33": (30.27, 120.16), "34": (31.82, 117.23),
    "35": (26.07, 119.30), "36": (28.68, 115.86), "37": (36.65, 117.12), "41": (34.75, 113.63),
    "42": (30.59, 114.31), "43": (28.23, 112.94), "44": (23.13, 113.26), "45": (22.82, 108.37),
    "46": (20.04, 110.34), "50": (29.56, 106.55), "51": (30.57, 104.07), "52": (26.65, 106.63),
    "53": (25.04, 102.71), "54": (29.65, 91.17), "61": (34.34, 108.94), "62": (36.06, 103.83),
    "63": (36.62, 101.78), "64": (38.49, 106.23), "65": (43.83, 87.62),
}  # fmt: skip

EARTH_RADIUS_KM = 6371.0


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (latitude, longitude) points."""
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlat, dlon = lat2 - lat1, math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def province_distance_km(a: str, b: str) -> float | None:
    """Distance between the capitals of two provinces (two-digit codes, or any division code,
    whose first two digits are taken); None when either is not a province."""
    first, second = CAPITALS.get(a[:2]), CAPITALS.get(b[:2])
    if first is None or second is None:
        return None
    return great_circle_km(first, second)
