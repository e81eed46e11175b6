"""schemathesis over every operation of ``/openapi.json``, on SQLite and on PostgreSQL.

Each operation gets ``OPCERT_SCHEMATHESIS_EXAMPLES`` schema-conforming cases and as many
schema-violating ones, sent in process, with a real institution API key and a real officer token
where the operation needs one. Two checks, on every response: not a server error, and the body
conforms to the schema the description gives for its status (problem+json for 4xx). The number
of cases run is printed and recorded as the ``schemathesis_cases`` property of the test.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opcert.interfaces.api.app import create_app
from opcert.services.kernel import authentication
from tests.integration.sharing_world import subscribe

EXAMPLES = int(os.environ.get("OPCERT_SCHEMATHESIS_EXAMPLES", "50"))
# Beyond the two asked for: every status and media type answered must be in the description,
# so that the schema check has a documented schema to hold each answer to.
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def test_every_api_operation_answers_within_its_description_and_never_with_a_server_error(
    platform, world, record_property
):
    app = create_app(platform)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    officer_token = authentication.officer_login(platform.ctx, "zh", world.password)
    subscriber_key = subscribe(platform.ctx, "FUZZ-SUB").api_key  # --- sharing ---
    credentials = {
        "/api/v1/events": subscriber_key,
        "/api/v1/feedback": subscriber_key,
        "/api/v1/exam-results": world.zhuhai_key,
        "/api/v1/applications": officer_token,
        "/api/v1/analytics": officer_token,  # --- pages ---
    }
    cases = 0
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        token = next((v for k, v in credentials.items() if operation.path.startswith(k)), None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            ran = _run(operation, mode, headers)
            print(f"  {operation.label} {mode.value}: {ran}")
            cases += ran
    print(f"\nschemathesis: {cases} cases over {len(operations)} operations")
    record_property("schemathesis_cases", cases)
    assert len(operations) >= 10, operations
    assert cases >= len(operations) * 2


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> int:
    ran = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def each(case: Any) -> None:
        nonlocal ran
        ran += 1
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    try:
        each()
    except Unsatisfiable:
        # An operation without parameters or body (``GET /healthz``) has no invalid request.
        assert mode is GenerationMode.NEGATIVE and ran == 0, operation.label
    return ran
