"""Administrative division codes (GB/T 2260) as used in resident ID numbers.

Names come from python-stdnum's ``cn/loc`` database, which records historical
codes with the years they were in use (``[1983-1993]潮阳县``). The database is
incomplete and, for new codes, late; so an unknown county code is a reason to
flag a record for review, never to refuse it. Only the province part (first
two digits) is checked strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb

# Province-level codes: the 31 mainland provinces, Taiwan (71), Hong Kong (81),
# Macao (82) and 83, which residence permits for Taiwan residents carry.
# 91 is accepted because the brief for this package lists it for permits
# issued to non-mainland residents; stdnum knows no county below it.
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        *(str(n) for n in range(11, 16)),
        *(str(n) for n in range(21, 24)),
        *(str(n) for n in range(31, 38)),
        *(str(n) for n in range(41, 47)),
        *(str(n) for n in range(50, 55)),
        *(str(n) for n in range(61, 66)),
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)

# Names the database uses for grouping levels that are not places a person
# would recognise ("municipal districts", "counties", "directly administered").
_PLACEHOLDER = re.compile(r"^(市辖区|县)$|直辖(县级)?行政单位$")
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.+)$")
_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class _Name:
    start: int | None
    end: int | None
    name: str

    def in_use(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


def _names(raw: str) -> list[_Name]:
    names = []
    for part in raw.split(","):
        match = _PERIOD.match(part)
        if match is None:
            names.append(_Name(None, None, part))
        else:
            start, end, name = match.groups()
            names.append(_Name(int(start) if start else None, int(end) if end else None, name))
    return names


def _pick(raw: str, year: int | None) -> str:
    """The name in use in ``year``, else the most recent one."""
    names = _names(raw)
    if year is not None:
        for entry in names:
            if entry.in_use(year):
                return entry.name
    return names[-1].name


@lru_cache(maxsize=16384)
def _entry(code: str) -> str | None:
    """The raw county-level entry stdnum records for a 6-digit code, if any."""
    info = dict(numdb.get("cn/loc").info(code))
    props = info.get(code[2:])
    return props.get("county") if props else None


def is_known_division(code: str) -> bool:
    """True when stdnum's database records ``code`` at any time in history."""
    return bool(_CODE.match(code)) and _entry(code) is not None


def province_name(code: str) -> str | None:
    """Chinese name of the province-level division of a 2- or 6-digit code."""
    if len(code) < 2 or not code[:2].isdigit():
        return None
    raw = _entry(code[:2] + "0000")
    return _pick(raw, None) if raw else None


def division_name(code: str, *, year: int | None = None) -> str | None:
    """Full Chinese name (province, prefecture, county) of a 6-digit division code.

    ``year`` chooses among names a code carried over time; without it, or when
    no name was in use that year, the most recent name is given. Returns
    ``None`` for a code the database does not know, historical codes included.
    """
    if not _CODE.match(code):
        return None
    raw = _entry(code)
    if raw is None:
        return None
    parts = [province_name(code) or ""]
    if code[2:4] != "00" and code[4:] != "00":
        prefecture = _entry(code[:4] + "00")
        if prefecture is not None:
            parts.append(_pick(prefecture, year))
    if code[2:] != "0000":
        parts.append(_pick(raw, year))
    return "".join(part for part in parts if not _PLACEHOLDER.search(part))


@lru_cache(maxsize=64)
def county_codes(province: str) -> tuple[str, ...]:
    """The county-level codes stdnum records as in use today under a 2-digit province code.

    Prefecture codes (ending ``00``), grouping levels and codes whose name has an end year are
    left out; the result is sorted and empty for a province stdnum does not know.
    """
    found: list[str] = []
    for _length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        if low != province or high != province:
            continue
        for _clen, code, code_high, props, _sub in children:
            raw = props.get("county")
            if code != code_high or code.endswith("00") or raw is None:
                continue
            latest = _names(raw)[-1]
            if latest.end is None and not _PLACEHOLDER.search(latest.name):
                found.append(province + code)
    return tuple(sorted(found))
