"""Helpers for the session tests: the two session stores, and logging in as each role."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from fastapi.testclient import TestClient

from opcert.bootstrap import Platform
from opcert.interfaces.api.app import create_app
from opcert.persistence.redis_session_store import RedisSessionStore
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import accounts
from opcert.services.kernel.session_store import SessionStore
from tests.integration.builders import World, make_result
from tests.integration.web_pages import csrf, post_form

REDIS_URL = os.environ.get("OPCERT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
INSTITUTION_USER = "zh-upload"
INSTITUTION_PASSWORD = "upload password 2026"


@contextmanager
def redis_store() -> Iterator[RedisSessionStore]:
    """A Redis store under a prefix of its own (other workers share the server); its keys are
    deleted afterwards. Never FLUSHDB."""
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if os.environ.get("OPCERT_REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"opcert-test:{uuid.uuid4().hex}:"
    try:
        yield RedisSessionStore(client, prefix)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


@contextmanager
def wired(platform: Platform, store: SessionStore) -> Iterator[Platform]:
    """The platform with ``store`` behind sessions and login challenges."""
    saved = platform.ctx.sessions
    platform.ctx.sessions = store
    try:
        yield platform
    finally:
        platform.ctx.sessions = saved


def new_client(platform: Platform, base_url: str = "http://testserver") -> TestClient:
    return TestClient(create_app(platform), base_url=base_url)


def officer_web_login(client: TestClient, world: World, username: str = "zh") -> str:
    response = post_form(
        client,
        "/officer/login",
        "/officer/login",
        {"username": username, "password": world.password},
    )
    assert response.status_code == 303, response.text
    return client.cookies["opcert_officer"]


def officer_api_token(client: TestClient, world: World, username: str = "zh") -> str:
    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": world.password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_institution_user(platform: Platform) -> None:
    accounts.add_institution_user(
        platform.ctx,
        institution="EXAM-ZH",
        username=INSTITUTION_USER,
        password=INSTITUTION_PASSWORD,
    )


def institution_web_login(client: TestClient) -> str:
    response = post_form(
        client,
        "/institution/login",
        "/institution/login",
        {"username": INSTITUTION_USER, "password": INSTITUTION_PASSWORD},
    )
    assert response.status_code == 303, response.text
    return client.cookies["opcert_institution"]


def issued_holder(platform: Platform, world: World) -> dict[str, object]:
    row = make_result(name="李四")
    [outcome] = submit_results(platform.ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    return row


def holder_code_step(client: TestClient, row: dict[str, object]) -> str:
    """Start a holder login and pass the code; returns the challenge cookie."""
    sent = post_form(
        client, "/holder/login", "/holder/login", {"id_number": row["id_number"], "name": "李四"}
    )
    assert sent.headers["location"] == "/holder/code", sent.text
    challenge = client.cookies["opcert_login"]
    code = re.search(r"验证码 (\d{6})", client.get("/dev/outbox").text)
    assert code
    checked = post_form(client, "/holder/code", "/holder/code", {"code": code.group(1)})
    assert checked.headers["location"] == "/holder/face", checked.text
    return challenge


def holder_web_login(client: TestClient, row: dict[str, object]) -> str:
    holder_code_step(client, row)
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    assert face.headers["location"] == "/holder/certificates", face.text
    return client.cookies["opcert_holder"]


def form_token(client: TestClient, page: str) -> str:
    return csrf(client.get(page).text)


def redirects_to_login(response: object, login: str) -> bool:
    status = getattr(response, "status_code", 0)
    headers = getattr(response, "headers", {})
    return status == 303 and headers.get("location") == login
