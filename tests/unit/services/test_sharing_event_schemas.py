"""The published JSON Schemas of events' ``data`` (``docs/events/``, issue 17) describe what
the platform really sends: one schema per event type, two shapes (certificate, application), and
the data of real acts, minimised under any grant, valid against its type's schema.

Validation uses ``jsonschema_rs`` (installed with schemathesis) when it can be imported, and a
structural check of the same keywords otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcert.persistence.models import SharingEvent
from opcert.services.lifecycle import acts
from opcert.services.sharing import events
from opcert.services.sharing.sharing_list import (
    ALWAYS,
    APPLICATION_PREFIX,
    CERTIFICATE_EVENTS,
    CERTIFICATE_PREFIX,
    EVENT_TYPES,
    FIELDS,
    minimise,
)
from tests.sharing_schemas import SCHEMAS, jsonschema_rs, problems, schema_of
from tests.unit.services.conftest import NOW, fake_context, issue
from tests.unit.services.fakes import FakeUnitOfWork

grants = st.lists(st.sampled_from(FIELDS), unique=True)


def test_every_event_type_has_one_schema_and_there_are_no_others():
    names = {p.name for p in SCHEMAS.glob("*.schema.json")}
    assert names == {f"{t}.schema.json" for t in EVENT_TYPES}


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_schema_is_draft_2020_12_closed_and_names_its_own_event(event_type):
    schema = schema_of(event_type)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/docs/events/{event_type}.schema.json")
    assert schema["title"] == event_type and schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["event"] == {"const": event_type.rsplit(".", 1)[1]}
    assert set(schema["properties"]) <= {*ALWAYS, *FIELDS}
    assert set(schema["required"]) <= set(ALWAYS)  # minimisation may remove any other
    if jsonschema_rs is not None:
        assert jsonschema_rs.meta.is_valid(schema)


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in schema["properties"].items() if k != "event"}
    return {"properties": properties, "required": schema["required"]}


def test_certificate_events_share_one_shape_and_application_events_another():
    certificate = [_shape(schema_of(CERTIFICATE_PREFIX + e)) for e in CERTIFICATE_EVENTS]
    assert all(shape == certificate[0] for shape in certificate)
    assert set(certificate[0]["properties"]) == set(FIELDS)
    application = [_shape(schema_of(t)) for t in EVENT_TYPES if t.startswith(APPLICATION_PREFIX)]
    assert all(shape == application[0] for shape in application)
    assert set(application[0]["properties"]) == {
        "application", "status", "item", "name", "id_number", "authority", "reasons",
    }  # fmt: skip


@dataclass
class _Application:
    """What an application event reads (``events.ApplicationLike``)."""

    id: str = "0f5c3a52-9d3e-4c1e-9a0b-5a8f3f1e2d7c"
    status: str = "in_review"
    item_code: str = "1.2"
    name: str = "张三"
    id_number: str = "440402199005170031"
    authority_code: str = "CN-440400"
    review_reasons: list[str] = field(default_factory=lambda: ["EXAM_DATA_ANOMALY"])
    certificate_id: int | None = None


def _real_events() -> list[tuple[str, dict[str, Any]]]:
    """(type, data) of events the services write: the acts through the fake unit of work, every
    certificate event type on the same row, and the three application events."""
    ctx, db = fake_context()
    number, item = issue(ctx)
    acts.suspend(ctx, number, item, "停工调查")
    acts.reinstate(ctx, number, item, "调查结束")
    acts.correct(ctx, number, item, name="阿依古丽·买买提", reason="户籍姓名更正")
    acts.replace(ctx, number, item, "lost")
    acts.revoke(ctx, number, item, "以欺骗手段取得", ground="deception")
    acts.cancel(ctx, number, item, "revoked")
    written = [(row.type, row.data) for row in db.rows(SharingEvent)]
    assert [t.removeprefix(CERTIFICATE_PREFIX) for t, _ in written] == [
        "suspended", "reinstated", "corrected", "replaced", "revoked", "cancelled",
    ]  # fmt: skip
    with FakeUnitOfWork(db) as uow:
        row = uow.certificates.get(number, item)
        for event in CERTIFICATE_EVENTS:
            made = events.certificate_event(row, event, NOW.date(), NOW)
            written.append((made.type, made.data))
    kinds = ["filed", "held", "decided"]
    for made in events.application_events([_Application()], kinds, NOW):
        written.append((made.type, made.data))
    return written


REAL = _real_events()


@pytest.mark.parametrize(("event_type", "data"), REAL, ids=[t for t, _ in REAL])
def test_the_data_of_a_real_event_with_every_field_granted_conforms(event_type, data):
    shown = minimise(data, FIELDS)
    assert problems(schema_of(event_type), shown) == []
    assert problems(schema_of(event_type), {**shown, "phone": "13800000000"}) != []


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL), grants)
def test_the_data_of_a_real_event_conforms_under_any_grant(real, granted):
    event_type, data = real
    assert problems(schema_of(event_type), minimise(data, granted)) == []
