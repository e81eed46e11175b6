"""The sharing list (数据共享清单): which event types exist, which fields a subscriber may be
granted, and what one subscriber may see of one event (field-level minimisation).

The names are fixed by ``shared/spec/interfaces.md``: event types ``cn.opcert.certificate.*`` and
``cn.opcert.application.*``; the fields of the public query's certificate object plus
``id_number``. A certificate number is ``T`` or ``A`` followed by the holder's ID number, so the
number (and an event's subject) is masked like the ID number unless ``id_number`` is granted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opcert.domain.privacy import mask_id_number

CERTIFICATE_PREFIX = "cn.opcert.certificate."
APPLICATION_PREFIX = "cn.opcert.application."
CERTIFICATE_EVENTS = (
    "issued",
    "reviewed",
    "renewed",
    "expiring",
    "expired",
    "lapsed",
    "revoked",
    "cancelled",
    "suspended",
    "reinstated",
    "corrected",
    "replaced",
)
APPLICATION_EVENTS = ("filed", "decided", "held")
EVENT_TYPES = tuple(CERTIFICATE_PREFIX + e for e in CERTIFICATE_EVENTS) + tuple(
    APPLICATION_PREFIX + e for e in APPLICATION_EVENTS
)

# The public query's certificate object, then the one field granted apart.
FIELDS = (
    "number",
    "name",
    "sex",
    "category",
    "item",
    "status",
    "first_issued_on",
    "valid_from",
    "valid_to",
    "review_due_on",
    "reviewed_on",
    "authority",
    "id_number",
)
# What every event's data carries whatever the grant: nothing personal.
ALWAYS = ("event", "application", "reasons")


def mask_number(number: str) -> str:
    """A certificate number (``T`` + ID number) with its ID number masked."""
    if number[:1] in ("T", "A") and len(number) > 11:
        return number[0] + mask_id_number(number[1:])
    return mask_id_number(number)


def shown_subject(subject: str, fields: Iterable[str]) -> str:
    """The event's subject as this subscriber sees it."""
    if "id_number" in fields or subject[:1] not in ("T", "A"):
        return subject
    return mask_number(subject)


def minimise(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Only the granted fields of ``data`` (and ``ALWAYS``); ``number`` masked unless
    ``id_number`` is granted too."""
    granted = set(fields)
    out = {key: data[key] for key in ALWAYS if key in data}
    for key in FIELDS:
        if key in granted and key in data:
            out[key] = data[key]
    if "number" in out and "id_number" not in granted and isinstance(out["number"], str):
        out["number"] = mask_number(out["number"])
    return out


def covers(regions: Iterable[str], division: str) -> bool:
    """Whether a grant of ``regions`` (division codes: ``440000`` a province, ``440300`` a city,
    ``440305`` a county, or ``000000`` the whole country) covers ``division``."""
    for region in regions:
        prefix = region.rstrip("0")
        if len(prefix) % 2:
            prefix += "0"
        if division.startswith(prefix):
            return True
    return False
