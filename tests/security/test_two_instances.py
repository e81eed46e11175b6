"""Two instances, one truth: two ``opcert serve`` processes on different ports over one
PostgreSQL and one Redis behave as one platform (issue 12, part 11).

This is how opcert scales past one machine: stateless app servers over PostgreSQL (records,
status-list revisions) and Redis (sessions, rate limits, one-time tokens). Each process here is a
real served process; the only thing they share is the database, the Redis and the key files.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from opcert.bootstrap import build, initialise
from opcert.services.abuse import AbuseControls
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import accounts
from opcert.services.verification import query as certificates
from opcert.settings import Settings
from tests.integration.builders import World, make_result
from tests.integration.test_credentials_on_platform import spec_verdict
from tests.integration.web_pages import csrf
from tests.security.abuse_fixtures import REDIS_URL, redis_or_skip
from tests.security.test_abuse import served

PG_BASE = os.environ.get(
    "OPCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_or_skip() -> None:
    if "postgresql" not in os.environ.get("OPCERT_TEST_DATABASES", "sqlite,postgresql"):
        pytest.skip("two instances share PostgreSQL: runs with the PostgreSQL suite")


class Pair:
    def __init__(self, a: httpx.Client, b: httpx.Client, world: World, ctx, prefix: str) -> None:  # type: ignore[no-untyped-def]
        self.a, self.b, self.world, self.ctx, self.prefix = a, b, world, ctx, prefix


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    _postgres_or_skip()
    redis_or_skip()
    schema = f"opcert_two_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in PG_BASE else "?"
    url = f"{PG_BASE}{joiner}options=-csearch_path%3D{schema}"
    data_dir = tmp_path_factory.mktemp("two-instances")
    prefix = f"opcert-two-test-{uuid.uuid4().hex}"
    # The records every instance serves: initialised and seeded once, through the services.
    platform = build(Settings(data_dir=data_dir, database_url=url, env="development"))
    initialise(platform)
    world = World.create(platform.ctx)
    env = {
        **os.environ,
        "OPCERT_DATA_DIR": str(data_dir),  # the key files: a shared volume or an HSM in production
        "OPCERT_DATABASE_URL": url,
        "OPCERT_ENV": "development",
        "OPCERT_REDIS_URL": REDIS_URL,
        "OPCERT_REDIS_KEY_PREFIX": prefix,
        "OPCERT_WARM_STATUS_LISTS": "false",
    }
    for name in ("OPCERT_FAKE_NOW", "OPCERT_TRUSTED_PROXIES"):
        env.pop(name, None)
    logs = Path(data_dir)
    servers = []
    try:
        servers = [served(env, logs / f"server-{n}.log") for n in "ab"]
        (a, _), (b, _) = servers
        yield Pair(a, b, world, platform.ctx, prefix)
    finally:
        for client, process in servers:
            client.close()
            process.terminate()
            process.wait(timeout=10)
        platform.close()
        AbuseControls(REDIS_URL, prefix=prefix).reset()
        _drop_redis_keys(prefix)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def _drop_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


def _officer_token(client: httpx.Client, world: World) -> str:
    response = client.post(
        "/api/v1/auth/token", data={"username": "zh", "password": world.password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_two_processes_are_really_two(pair):
    assert pair.a.base_url != pair.b.base_url
    assert pair.a.get("/healthz").status_code == pair.b.get("/healthz").status_code == 200


def test_an_officer_token_made_on_a_works_on_b_and_logout_on_a_ends_it_on_b(pair):
    token = _officer_token(pair.a, pair.world)
    assert pair.b.get("/api/v1/applications", headers=_bearer(token)).status_code == 200

    assert pair.a.post("/api/v1/auth/logout", headers=_bearer(token)).status_code == 200

    assert pair.b.get("/api/v1/applications", headers=_bearer(token)).status_code == 401
    assert pair.a.get("/api/v1/applications", headers=_bearer(token)).status_code == 401


def test_a_page_session_made_on_a_works_on_b_and_logout_on_a_ends_it_on_b(pair):
    a = httpx.Client(base_url=str(pair.a.base_url), timeout=10)
    b = httpx.Client(base_url=str(pair.b.base_url), timeout=10)
    try:
        form = {"username": "zh", "password": pair.world.password}
        login = a.post(
            "/officer/login", data={**form, "csrf_token": csrf(a.get("/officer/login").text)}
        )
        assert login.status_code == 303, login.text
        stolen = a.cookies.get("opcert_officer")
        assert stolen
        b.cookies.set("opcert_officer", stolen)  # the same browser sent to B, or a copied cookie
        assert b.get("/officer/queue").status_code == 200

        token = csrf(a.get("/officer/queue").text)
        assert a.post("/officer/logout", data={"csrf_token": token}).status_code == 303

        after = b.get("/officer/queue", follow_redirects=False)
        assert after.status_code == 303 and after.headers["location"].endswith("/officer/login")
    finally:
        a.close()
        b.close()


def test_the_rate_limit_is_shared_by_the_two_processes(pair):
    query = {"id_number": "11010519491231002X", "name": "王五"}
    limit = Settings(env="development").query_rate_per_minute
    half = limit // 2
    on_a = [pair.a.get("/api/v1/certificates", params=query) for _ in range(half)]
    on_b = [pair.b.get("/api/v1/certificates", params=query) for _ in range(limit - half + 1)]
    statuses = [r.status_code for r in on_a + on_b]
    # Counted once across both processes: the limit, not twice the limit, then refused.
    assert statuses == [404] * limit + [429], statuses
    assert "retry-after" in {k.lower() for k in on_b[-1].headers}


def test_a_revocation_on_a_is_seen_by_the_status_list_b_serves(pair):
    row = make_result()
    [outcome] = submit_results(pair.ctx, pair.world.zhuhai, [row])
    assert outcome.outcome == "issued"
    number, item = outcome.certificate_no, row["item"]
    credential = certificates.current_credential(pair.ctx, number, item)
    # B has served (and cached) the list before the revocation.
    assert spec_verdict(pair.b, pair.ctx, credential) == "VALID"
    assert pair.b.post("/api/v1/verify", json={"payload": credential}).json()["verdict"] == "VALID"

    a = httpx.Client(base_url=str(pair.a.base_url), timeout=10)
    try:
        form = {"username": "zh", "password": pair.world.password}
        login = a.post(
            "/officer/login", data={**form, "csrf_token": csrf(a.get("/officer/login").text)}
        )
        assert login.status_code == 303
        answers = {
            "number": number,
            "item": item,
            "ground": "deception",
            "reason": "以欺骗手段取得 / obtained by deception",
        }
        page = a.get("/officer/revoke").text
        # The preview is shown by B, the confirmation posted to A: the key is in the shared store.
        b = httpx.Client(base_url=str(pair.b.base_url), timeout=10)
        _carry(a, b)
        preview = b.post("/officer/revoke", data={"csrf_token": csrf(page), **answers}).text
        b.close()
        key = preview.split('name="confirmation" value="')[1].split('"')[0]
        revoked = a.post(
            "/officer/revoke", data={"csrf_token": csrf(page), **answers, "confirmation": key}
        )
        assert revoked.status_code == 200 and 'data-testid="revoked"' in revoked.text
    finally:
        a.close()

    assert spec_verdict(pair.b, pair.ctx, credential) == "REVOKED"
    assert pair.b.post("/api/v1/verify", json={"payload": credential}).json()["verdict"] == (
        "REVOKED"
    )


def _browsers(pair: Pair) -> tuple[httpx.Client, httpx.Client]:
    return (
        httpx.Client(base_url=str(pair.a.base_url), timeout=10),
        httpx.Client(base_url=str(pair.b.base_url), timeout=10),
    )


def _carry(source: httpx.Client, target: httpx.Client) -> None:
    """The browser's cookies, as a load balancer sends its next request to the other process."""
    for name, value in source.cookies.items():
        target.cookies.set(name, value)


def _post(client: httpx.Client, page: str, action: str, data: dict[str, str], **kw):  # type: ignore[no-untyped-def]
    return client.post(action, data={**data, "csrf_token": csrf(client.get(page).text)}, **kw)


def test_a_holder_login_started_on_a_is_finished_on_b(pair):
    row = make_result(name="李四")
    [outcome] = submit_results(pair.ctx, pair.world.zhuhai, [row])
    assert outcome.outcome == "issued"
    a, b = _browsers(pair)
    try:
        sent = _post(a, "/holder/login", "/holder/login", {"id_number": row["id_number"], "name": "李四"})  # fmt: skip
        assert sent.headers["location"] == "/holder/code", sent.text
        code = re.search(r"验证码 (\d{6})", a.get("/dev/outbox").text)  # the phone A texted
        assert code
        _carry(a, b)
        checked = _post(b, "/holder/code", "/holder/code", {"code": code.group(1)})
        assert checked.headers["location"] == "/holder/face", checked.text
        face = _post(b, "/holder/face", "/holder/face", {"evidence": "pass"})
        assert face.headers["location"] == "/holder/certificates", face.text
        _carry(b, a)
        assert a.get("/holder/certificates").status_code == 200
    finally:
        a.close()
        b.close()


def test_an_error_sheet_made_on_a_downloads_from_b(pair):
    accounts.add_institution_user(
        pair.ctx, institution="EXAM-ZH", username="zh-two", password="Two-instances-2026!"
    )
    header = "ref,id_number,name,item,theory_score,practical_score,exam_date,exam_point,phone"
    rows = [make_result(), make_result(id_number="123")]
    body = "\n".join([header] + [",".join(str(r[k]) for k in header.split(",")) for r in rows])
    a, b = _browsers(pair)
    try:
        login = {"username": "zh-two", "password": "Two-instances-2026!"}
        assert _post(a, "/institution/login", "/institution/login", login).status_code == 303
        files = {"file": ("r.csv", body.encode(), "text/csv")}
        page = _post(a, "/institution/upload", "/institution/upload", {}, files=files).text
        link = page.split('href="/institution/error-sheets/')[1].split('"')[0]
        _carry(a, b)
        sheet = b.get(f"/institution/error-sheets/{link}")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    finally:
        a.close()
        b.close()
