"""Arbitrary Unicode and JSON thrown at every route of the application, API and pages alike,
on SQLite and on PostgreSQL: the answer is a success, a redirect or a 4xx, never a 500.

The routes are enumerated from the application itself, so a route added later is fuzzed too.
Each request carries a valid CSRF token and cookie, an institution API key or an officer token
(so the input reaches the services behind the checks), arbitrary path parameters, an arbitrary
query string (any bytes, percent-encoded, so invalid UTF-8 too) and, for POST, an arbitrary JSON
document (deep, big integers, lone surrogates), an arbitrary form, or arbitrary bytes.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlencode

from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcert.services.kernel import authentication
from tests.integration.sharing_world import subscribe
from tests.integration.web_pages import csrf
from tests.security.session_helpers import add_institution_user, institution_web_login

EXAMPLES = int(os.environ.get("OPCERT_FUZZ_EXAMPLES", "12"))  # per route
PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")

# What broke the platform before, mixed with plausible input, so that a few examples per route
# are enough to meet it: NUL and controls, zero-width and bidi characters, formula starts.
RISKY = "\x00\x01\x1f\x7f\x85\u200b\u200d\u202e\u2066\u061c\ufeff=+-@张三·•. 1"
risky_text = st.text(st.sampled_from(RISKY), min_size=1, max_size=12)
plausible = st.sampled_from(["", "1.2", "张三", "440402199005170013", "2026-11-19", "86", "SC1:"])
wire_text = st.one_of(
    risky_text, plausible, st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
)
text = st.one_of(wire_text, st.text(st.characters(codec=None), max_size=20))
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)


def _routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            path = context.path_format or route.path_format
            found.extend((method, path) for method in sorted(context.methods or ()))
    return sorted(set(found))


@st.composite
def bodies(draw: st.DrawFn, token: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["json", "deep", "form", "bytes", "results"]))
    if kind == "json":
        return {"content": json.dumps(draw(json_values)).encode(), "headers": _json}
    if kind == "deep":
        depth = draw(st.integers(min_value=30, max_value=5000))
        return {"content": b"[" * depth + b"]" * depth, "headers": _json}
    if kind == "results":
        rows = draw(st.lists(st.dictionaries(st.sampled_from(_fields), json_values), max_size=3))
        return {"content": json.dumps({"results": rows}).encode(), "headers": _json}
    if kind == "form":
        fields = draw(st.dictionaries(st.sampled_from(_form_fields) | wire_text, wire_text))
        return {"data": {**fields, "csrf_token": token}}
    return {"content": draw(st.binary(max_size=200))}


_json = {"Content-Type": "application/json"}
_fields = ["ref", "id_number", "name", "item", "theory_score", "practical_score", "exam_date"]
_form_fields = [
    "id_number",
    "name",
    "payload",
    "details",
    "where_seen",
    "contact",
    "username",
    "password",
    "code",
    "decision",
    "reason",
    "q",
    "number",
    "item",
    "captcha",
    "captcha_token",
    "api_key",
    "page",
    "per_page",
    "status",
    "limit",
    "offset",
]


def test_no_input_at_any_route_gets_a_server_error(client, world, platform):
    routes = _routes(client.app)
    assert len(routes) >= 40, routes  # the API and every page
    token = csrf(client.get("/query").text)
    officer = authentication.officer_login(platform.ctx, "zh", world.password)
    subscriber = subscribe(platform.ctx, "FUZZ-SUB").api_key  # --- sharing ---
    # Signed in on the pages too, so the staff pages read their input instead of redirecting.
    staff = {"csrf_token": token, "username": "zh", "password": world.password}
    assert client.post("/officer/login", data=staff, follow_redirects=False).status_code == 303
    add_institution_user(platform)
    institution_web_login(client)
    token = csrf(client.get("/query").text)  # the CSRF token is bound to the sessions now held
    sent = 0
    # Logging out ends the sessions: those routes go last.
    for method, path in sorted(routes, key=lambda route: "logout" in route[1]):
        sent += _fuzz(client, method, path, token, (world.zhuhai_key, officer, subscriber))
    print(f"\nfuzzed {len(routes)} routes with {sent} requests")
    assert sent >= len(routes) * EXAMPLES


def _fuzz(client, method: str, path: str, token: str, bearers: tuple[str, ...]) -> int:
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        params=st.lists(wire_text, min_size=3, max_size=3),
        query=st.one_of(
            st.binary(max_size=60).map(lambda raw: quote_from_bytes(raw, safe="=&")),
            st.dictionaries(st.sampled_from(_form_fields), wire_text).map(urlencode),
        ),
        body=bodies(token),
        bearer=st.sampled_from(bearers),
    )
    def request(params, query, body, bearer):
        nonlocal sent
        filled = iter(params)
        url = PARAM.sub(lambda _: quote(next(filled, "x") or "x", safe=""), path)
        url += "?" + query
        headers = {"Authorization": f"Bearer {bearer}", **body.pop("headers", {})}
        options = body if method in ("POST", "PUT", "PATCH") else {}
        try:
            response = client.request(
                method, url, headers=headers, follow_redirects=False, **options
            )
        except AssertionError as error:  # the app sent no response at all
            raise AssertionError(f"{method} {url}: {error}") from None
        sent += 1
        assert response.status_code < 500, (method, url, options, response.text[:500])

    request()
    return sent
