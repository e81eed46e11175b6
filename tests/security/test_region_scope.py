"""Region scope and roles, the full matrix: every role (approver, admin, inspector, analyst) at
every level (Zhuhai city, Guangzhou: another city of the province, Guangdong province, Chongqing:
another province, national) takes every officer action, on the pages and on the API, against
objects of the Zhuhai bureau (CN-440400), on both backends.

The expectations are written here from docs/api.md ("Officers"), not read from the code: an
action the role may not take is 403; an object outside the officer's division is absent from
lists and 404 (or the answer an unknown object gets) when named, and nothing changes.

Finding of issue 12: a Zhuhai officer read Guangzhou certificates and identity reviews.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opcert.bootstrap import Platform
from opcert.interfaces.api.app import create_app
from opcert.services.verification import clues
from tests.integration.conftest import _reset
from tests.integration.web_pages import csrf
from tests.security.scope_world import LEVELS, ROLES, ScopeWorld

# What each role may do (docs/api.md, the role table), by action of the matrix.
ROLE_MAY = {
    "approver": {
        "applications.read",
        "applications.decide",
        "certificates.read",
        "certificates.revoke",
        "identity_reviews.read",
        "identity_reviews.decide",
        "clues.read",
        "analytics.read",  # --- pages ---
    },
    "inspector": {"applications.read", "certificates.read", "clues.read"},
    "analyst": {"applications.read", "analytics.read"},  # --- pages ---
}
ROLE_MAY["admin"] = ROLE_MAY["approver"]
IN_SCOPE = {"city", "province", "national"}  # of a Zhuhai object

# action → (permission it needs, whether the object's region matters)
PAGE_ACTIONS = {
    "queue": ("applications.read", True),
    "application": ("applications.read", True),
    "decide": ("applications.decide", True),
    "approve_clean": ("applications.decide", True),
    "reviews": ("identity_reviews.read", True),
    "review_photo": ("identity_reviews.read", True),
    "review_decide": ("identity_reviews.decide", True),
    "search": ("certificates.read", True),
    "revoke_form": ("certificates.revoke", False),
    "revoke": ("certificates.revoke", True),
    "clues": ("clues.read", True),
}
API_ACTIONS = {
    "applications": ("applications.read", True),
    "application": ("applications.read", True),
    "decision": ("applications.decide", True),
}


def expected(role: str, level: str, permission: str, regional: bool) -> str:
    if permission not in ROLE_MAY[role]:
        return "forbidden"
    if regional and level not in IN_SCOPE:
        return "hidden"
    return "allowed"


def cells(actions: dict[str, tuple[str, bool]]) -> list[Any]:
    return [
        pytest.param(role, level, action, id=f"{role}-{level}-{action}")
        for role in ROLES
        for level in LEVELS
        for action in actions
    ]


@pytest.fixture(scope="module")
def scope(backend: Platform) -> Iterator[tuple[ScopeWorld, TestClient]]:
    """Built once per backend: four authorities' objects and 20 logged-in officers."""
    _reset(backend)
    with TestClient(create_app(backend)) as client:
        yield ScopeWorld.create(backend.ctx, client), client
    _reset(backend)


def as_officer(client: TestClient, made: ScopeWorld, role: str, level: str) -> TestClient:
    client.cookies.clear()
    for name, value in made.logins[role, level].cookies.items():
        client.cookies.set(name, value)
    return client


def form(client: TestClient, action: str, data: dict[str, Any]) -> Any:
    token = csrf(client.get("/officer/queue").text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def application_status(made: ScopeWorld, app_id: str) -> str:
    with made.ctx.uow() as uow:
        row = uow.applications.get(app_id)
        assert row is not None
        return row.status


def review_status(made: ScopeWorld, review_id: int) -> str:
    with made.ctx.uow() as uow:
        row = uow.identity_reviews.get(review_id)
        assert row is not None
        return row.status


def certificate_state(made: ScopeWorld, number: str, item: str) -> str:
    with made.ctx.uow() as uow:
        row = uow.certificates.get(number, item)
        assert row is not None
        return row.state


def page_outcome(made: ScopeWorld, client: TestClient, action: str, site: str) -> str:
    """Take one page action on a ``site`` object; say what the officer got: "allowed" (saw it
    or changed it), "hidden" (not listed, or answered as unknown, and nothing changed) or
    "forbidden" (403 for the role)."""
    kept = made.sites[site]
    if action == "queue":
        return _listed_on_some_page(client, f"/officer/applications/{kept.application}")
    if action == "application":
        page = client.get(f"/officer/applications/{kept.application}")
        return _named(page, 200, kept.application)
    if action == "decide":
        app_id = made.fresh_application(site)
        page = form(client, f"/officer/applications/{app_id}/decision", {"decision": "approve"})
        done = application_status(made, app_id) == "issued"
        return _acted(page, 303, done)
    if action == "approve_clean":
        app_id = made.fresh_application(site)
        page = form(client, "/officer/queue/approve-clean", {"application": app_id})
        done = application_status(made, app_id) == "issued"
        if page.status_code == 303:
            assert done and page.headers["location"].endswith("batch-1")
        # outside the scope the whole batch is refused as unknown (404), never "0 approved"
        return _acted(page, 303, done)
    if action == "reviews":
        return _listed(client.get("/officer/identity-reviews"), kept.review_id_number)
    if action == "review_photo":
        page = client.get(f"/officer/identity-reviews/{kept.review}/photo")
        if page.status_code == 200:
            assert page.headers["content-type"] == "image/png"
        return _named(page, 200, "")
    if action == "review_decide":
        review = made.fresh_review(site)
        page = form(client, f"/officer/identity-reviews/{review}/decision", {"decision": "approve"})
        return _acted(page, 303, review_status(made, review) == "approved")
    if action == "search":
        number = kept.certificate[0]
        found = client.get("/officer/certificates", params={"q": number})
        return _listed(found, f'id="c-{number}-{kept.certificate[1]}"')
    if action == "revoke_form":
        return _named(client.get("/officer/revoke"), 200, 'name="ground"')
    if action == "revoke":
        number, item = made.fresh_certificate(site)
        data = {"number": number, "item": item, "ground": "unfit", "reason": "体检不合格"}
        page = form(client, "/officer/revoke", data)
        if page.status_code == 422:  # the form's answer to an unknown certificate
            assert certificate_state(made, number, item) != "revoked"
            assert "没有证号为" in page.text
            return "hidden"
        if page.status_code == 200:  # the preview: nothing revoked yet, then the confirmation
            assert certificate_state(made, number, item) != "revoked"
            key = re.search(r'name="confirmation" value="([^"]+)"', page.text)
            assert key, page.text
            page = form(client, "/officer/revoke", {**data, "confirmation": key.group(1)})
        done = certificate_state(made, number, item) == "revoked"
        return _acted(page, 200, done)
    if action == "clues":
        return _listed(client.get("/officer/clues"), kept.clue)
    raise AssertionError(action)


def api_outcome(made: ScopeWorld, client: TestClient, headers: dict[str, str], action: str) -> str:
    kept = made.sites["zhuhai"]
    if action == "applications":
        response = client.get("/api/v1/applications", headers=headers)
        if response.status_code == 200:
            ids = {entry["id"] for entry in response.json()["applications"]}
            return "allowed" if kept.application in ids else "hidden"
        return _api_refusal(response)
    if action == "application":
        response = client.get(f"/api/v1/applications/{kept.application}", headers=headers)
        if response.status_code == 200:
            assert response.json()["id"] == kept.application
            return "allowed"
        return _api_refusal(response)
    if action == "decision":
        app_id = made.fresh_application("zhuhai")
        response = client.post(
            f"/api/v1/applications/{app_id}/decision",
            json={"decision": "approve"},
            headers=headers,
        )
        done = application_status(made, app_id) == "issued"
        if response.status_code == 200:
            assert done and response.json()["status"] == "issued"
            return "allowed"
        assert not done
        return _api_refusal(response)
    raise AssertionError(action)


def _listed_on_some_page(client: TestClient, marker: str) -> str:
    """Whether the queue lists ``marker`` on any of its pages (20 to a page)."""
    for number in range(1, 100):
        page = client.get("/officer/queue", params={"page": number})
        if page.status_code != 200 or marker in page.text or 'rel="next"' not in page.text:
            return _listed(page, marker)
    raise AssertionError("the queue did not end within 99 pages")


def _listed(page: Any, marker: str) -> str:
    if page.status_code == 403:
        return "forbidden"
    assert page.status_code == 200, page.text
    return "allowed" if marker in page.text else "hidden"


def _named(page: Any, ok: int, marker: str) -> str:
    if page.status_code == ok:
        assert marker in page.text
        return "allowed"
    return {403: "forbidden", 404: "hidden"}[page.status_code]


def _acted(page: Any, ok: int, done: bool) -> str:
    if page.status_code == ok:
        assert done, page.text
        return "allowed"
    assert not done
    return {403: "forbidden", 404: "hidden"}[page.status_code]


def _api_refusal(response: Any) -> str:
    body = response.json()
    if response.status_code == 403:
        assert body["code"] == "ROLE_FORBIDDEN"
        return "forbidden"
    assert response.status_code == 404, response.text
    assert body["code"] == "APPLICATION_UNKNOWN"
    return "hidden"


@pytest.mark.parametrize(("role", "level", "action"), cells(PAGE_ACTIONS))
def test_an_officer_page_shows_and_acts_only_within_the_officers_division_and_role(
    scope: tuple[ScopeWorld, TestClient], role: str, level: str, action: str
) -> None:
    made, client = scope
    as_officer(client, made, role, level)
    permission, regional = PAGE_ACTIONS[action]
    assert page_outcome(made, client, action, "zhuhai") == expected(
        role, level, permission, regional
    )


@pytest.mark.parametrize(("role", "level", "action"), cells(API_ACTIONS))
def test_an_officer_api_call_shows_and_acts_only_within_the_officers_division_and_role(
    scope: tuple[ScopeWorld, TestClient], role: str, level: str, action: str
) -> None:
    made, client = scope
    client.cookies.clear()
    permission, regional = API_ACTIONS[action]
    headers = made.logins[role, level].bearer
    assert api_outcome(made, client, headers, action) == expected(role, level, permission, regional)


@pytest.mark.parametrize("site", ["guangzhou", "guangdong", "chongqing"])
@pytest.mark.parametrize("action", list(PAGE_ACTIONS))
def test_a_zhuhai_approver_reaches_nothing_of_guangzhou_the_province_or_another_province(
    scope: tuple[ScopeWorld, TestClient], action: str, site: str
) -> None:
    made, client = scope
    as_officer(client, made, "approver", "city")
    wanted = "allowed" if action == "revoke_form" else "hidden"
    assert page_outcome(made, client, action, site) == wanted


@pytest.mark.parametrize("site", ["zhuhai", "guangzhou", "guangdong", "chongqing"])
def test_a_guangdong_approver_reaches_every_city_of_the_province_and_no_other_province(
    scope: tuple[ScopeWorld, TestClient], site: str
) -> None:
    made, client = scope
    as_officer(client, made, "approver", "province")
    wanted = "hidden" if site == "chongqing" else "allowed"
    outcomes = {a: page_outcome(made, client, a, site) for a in PAGE_ACTIONS if a != "revoke_form"}
    assert outcomes == dict.fromkeys(outcomes, wanted)


def test_an_officer_of_another_region_gets_the_same_answer_as_for_an_unknown_application(
    scope: tuple[ScopeWorld, TestClient],
) -> None:
    made, client = scope
    client.cookies.clear()
    headers = made.logins["approver", "other_city"].bearer
    kept = made.sites["zhuhai"].application
    elsewhere = client.get(f"/api/v1/applications/{kept}", headers=headers).json()
    unknown_id = "00000000-0000-4000-8000-000000000000"
    unknown = client.get(f"/api/v1/applications/{unknown_id}", headers=headers).json()
    assert elsewhere["code"] == unknown["code"] == "APPLICATION_UNKNOWN"
    assert elsewhere["detail"].replace(kept, "?") == unknown["detail"].replace(unknown_id, "?")


@pytest.mark.parametrize("level", list(LEVELS))
def test_a_clue_that_names_no_id_number_is_read_by_national_officers_only(
    scope: tuple[ScopeWorld, TestClient], level: str
) -> None:
    made, client = scope
    clues.report_fake(made.ctx, details=f"无身份证号的线索 {level}")
    as_officer(client, made, "approver", level)
    page = client.get("/officer/clues")
    assert (f"无身份证号的线索 {level}" in page.text) is (level == "national")


def test_an_analyst_sees_no_link_to_pages_the_role_may_not_open(
    scope: tuple[ScopeWorld, TestClient],
) -> None:
    made, client = scope
    as_officer(client, made, "analyst", "national")
    page = client.get("/officer/queue").text
    for link in ("/officer/identity-reviews", "/officer/certificates", "/officer/revoke"):
        assert f'href="{link}"' not in page
    assert "批量批准所选申请" not in page


def test_an_officer_of_a_city_without_its_own_bureau_reaches_nothing_the_province_issues(
    scope: tuple[ScopeWorld, TestClient],
) -> None:
    """Foshan (440600) has no bureau: its exam points' applications are the province's to decide."""
    made, client = scope
    headers = made.login(client, "approver-foshan", "440600", "approver").bearer
    client.cookies.clear()
    foshan = made.fresh_application("guangdong")
    listed = client.get("/api/v1/applications", headers=headers).json()["applications"]
    assert listed == []
    decided = client.post(
        f"/api/v1/applications/{foshan}/decision", json={"decision": "approve"}, headers=headers
    )
    assert decided.status_code == 404
    assert application_status(made, foshan) == "in_review"
