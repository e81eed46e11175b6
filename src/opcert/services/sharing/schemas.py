"""The published JSON Schemas of events' ``data`` (``docs/events/<type>.schema.json``), served at
the URL each event's ``dataschema`` names (``webhooks.schema_url``).

The files in ``docs/events/`` are the one copy: read from the source tree the package runs from
(``make install`` installs it editable), once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from opcert.domain.errors import NotFound
from opcert.services.sharing.sharing_list import EVENT_TYPES

SCHEMA_DIR = Path(__file__).resolve().parents[4] / "docs" / "events"
SUFFIX = ".schema.json"


@cache
def event_schema(name: str) -> bytes:
    """The schema file ``name`` (``cn.opcert.certificate.revoked.schema.json``); ``NotFound`` for
    a name that is not an event type's schema, or when the docs are not installed."""
    event_type = name.removesuffix(SUFFIX)
    path = SCHEMA_DIR / f"{event_type}{SUFFIX}"
    if not name.endswith(SUFFIX) or event_type not in EVENT_TYPES or not path.is_file():
        raise NotFound(
            "SCHEMA_NOT_FOUND",
            "没有这一事件类型的数据结构说明",
            "no schema for this event type",
        )
    return path.read_bytes()
