"""The published JSON Schemas of events' ``data`` (``docs/events/``) and a validator: ``jsonschema_rs``
(installed with schemathesis) when it can be imported, a structural check of the same keywords
otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "events"

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - the structural check stands in
    jsonschema_rs = None


def schema_of(event_type: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (SCHEMAS / f"{event_type}.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def problems(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Why ``data`` does not conform to ``schema`` ([] when it does)."""
    if jsonschema_rs is not None:
        validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        return [error.message for error in validator.iter_errors(data)]
    found = [f"missing {key}" for key in schema["required"] if key not in data]
    for key, value in data.items():
        rule = schema["properties"].get(key)
        if rule is None:
            found.append(f"unexpected {key}")
        elif "const" in rule and value != rule["const"]:
            found.append(f"{key} is not {rule['const']}")
        elif "enum" in rule and value not in rule["enum"]:
            found.append(f"{key} not in {rule['enum']}")
    return found
