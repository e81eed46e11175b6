"""Abuse controls that hold across processes (issue 12, part 4): the public query on the API and
the page, photo uploads, holder and officer logins, fake reports, client addresses behind
proxies, and the one-time image captcha. Each test runs over memory and over Redis."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from opcert.bootstrap import Platform
from opcert.domain.errors import NotFound, ValidationFailed
from opcert.interfaces.api.app import create_app
from opcert.interfaces.web.security import CaptchaBook
from opcert.services.abuse import (
    OFFICER_LOGIN_ACCOUNT,
    PUBLIC_QUERY,
    AbuseControls,
    TooManyRequests,
)
from opcert.services.abuse.addresses import client_address, parse_networks
from opcert.services.intake.pipeline import submit_results
from opcert.services.verification import clues
from opcert.services.verification import query as certificates
from opcert.settings import Settings
from tests.integration.builders import make_result
from tests.integration.web_pages import csrf, post_form, query
from tests.security.abuse_fixtures import (
    CLIENT,
    PROXY,
    REDIS_URL,
    TRUSTED,
    UNKNOWN_ID,
    captcha_token,
    make_controls,
    png_without_qr,
    redis_or_skip,
)

QUERY = {"id_number": UNKNOWN_ID, "name": "张三"}
BIN = Path(sys.executable).parent


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def controls(platform: Platform, store: str) -> Iterator[AbuseControls]:
    made = make_controls(platform, store)
    yield made
    made.reset()
    made.close()


Connect = Callable[..., TestClient]


@pytest.fixture
def connect(platform: Platform, controls: AbuseControls) -> Iterator[Connect]:
    """``connect(peer=CLIENT, abuse=controls)``: a client of an app over ``abuse``, from
    ``peer``. Two calls with two controls over one Redis are two processes of one deployment."""
    opened: list[TestClient] = []

    def open_client(
        peer: tuple[str, int] = CLIENT, abuse: AbuseControls | None = None
    ) -> TestClient:
        app = create_app(replace(platform, abuse=abuse or controls))
        client = TestClient(app, client=peer)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()


def api_queries(client, count: int, **headers: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        client.get("/api/v1/certificates", params=QUERY, headers=headers).status_code
        for _ in range(count)
    ]


# -- the public query ---------------------------------------------------------------------------


def test_300_rapid_api_queries_are_cut_off_with_429_after_the_limit(connect, platform):
    client = connect()
    limit = platform.settings.query_rate_per_minute
    statuses = api_queries(client, 300)
    assert statuses[:limit] == [404] * limit
    assert statuses[limit:] == [429] * (300 - limit)
    refused = client.get("/api/v1/certificates", params=QUERY)
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    body = refused.json()
    assert body["status"] == 429 and body["code"] == "TOO_MANY_REQUESTS"
    assert "查询过于频繁" in body["detail"] and "too many queries" in body["detail_en"]


def test_the_query_page_and_the_api_share_one_count_per_address(connect, platform):
    client = connect()
    api_queries(client, platform.settings.query_rate_per_minute)
    page = query(client, UNKNOWN_ID, "张三")
    assert page.status_code == 429
    assert 'data-testid="rate-limited"' in page.text and "查询过于频繁" in page.text
    assert int(page.headers["retry-after"]) >= 1


def test_the_query_page_is_cut_off_after_its_limit_and_other_addresses_are_not(connect, platform):
    client = connect()
    limit = platform.settings.query_rate_per_minute
    statuses = [query(client, UNKNOWN_ID, "张三").status_code for _ in range(limit + 1)]
    assert statuses == [404] * limit + [429]
    assert query(connect(peer=("198.51.100.8", 1)), UNKNOWN_ID, "张三").status_code == 404


def test_the_query_service_itself_counts_so_every_entry_point_shares_the_limit(connect, platform):
    client = connect()
    limit = platform.settings.query_rate_per_minute
    ctx = client.app.state.platform.ctx
    for _ in range(limit):
        with pytest.raises(NotFound):
            certificates.public_query(ctx, UNKNOWN_ID, "张三", asker=CLIENT[0])
    with pytest.raises(TooManyRequests):
        certificates.public_query(ctx, UNKNOWN_ID, "张三", asker=CLIENT[0])
    assert api_queries(client, 1) == [429]
    assert query(client, UNKNOWN_ID, "张三").status_code == 429
    # Bad input is counted too: an address cannot probe for free with malformed queries.
    other = "198.51.100.77"
    for _ in range(limit):
        with pytest.raises(ValidationFailed):
            certificates.public_query(ctx, "", "", asker=other)
    with pytest.raises(TooManyRequests):
        certificates.public_query(ctx, UNKNOWN_ID, "张三", asker=other)


@pytest.fixture
def redis_pair(platform: Platform) -> Iterator[tuple[AbuseControls, AbuseControls]]:
    """The abuse controls of two app processes of one deployment: one Redis, one prefix."""
    first = make_controls(platform, "redis")
    second = make_controls(platform, "redis", prefix=first.prefix)
    yield first, second
    first.reset()
    first.close()
    second.close()


def app_client(platform: Platform, abuse: AbuseControls, peer=CLIENT) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(replace(platform, abuse=abuse)), client=peer)


def test_two_app_processes_over_one_redis_share_the_query_count(platform, redis_pair):
    a, b = (app_client(platform, abuse) for abuse in redis_pair)
    limit = platform.settings.query_rate_per_minute
    half = limit // 2
    assert api_queries(a, half) == [404] * half
    rest = limit - half
    assert api_queries(b, rest + 1) == [404] * rest + [429]
    assert api_queries(a, 1) == [429]


def test_two_limiter_instances_over_one_redis_share_the_count(platform, redis_pair):
    one, other = redis_pair
    stranger = make_controls(platform, "redis")  # another deployment's prefix
    try:
        for _ in range(platform.settings.query_rate_per_minute):
            one.hit(PUBLIC_QUERY, "203.0.113.1")
        assert other.remaining(PUBLIC_QUERY, "203.0.113.1") == 0
        with pytest.raises(TooManyRequests, match="查询过于频繁"):
            other.hit(PUBLIC_QUERY, "203.0.113.1")
        stranger.hit(PUBLIC_QUERY, "203.0.113.1")  # prefixes keep deployments apart
    finally:
        stranger.reset()
        stranger.close()


def test_a_broken_shared_store_refuses_with_503_rather_than_running_without_limits(platform):
    broken = AbuseControls("redis://127.0.0.1:1/0", trusted_proxies=TRUSTED)
    response = app_client(platform, broken).get("/api/v1/certificates", params=QUERY)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.json()["code"] == "ABUSE_STORE_UNAVAILABLE"
    broken.close()


# -- client addresses ---------------------------------------------------------------------------


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(connect, platform):
    client = connect(peer=CLIENT)
    limit = platform.settings.query_rate_per_minute
    statuses = [
        api_queries(client, 1, **{"X-Forwarded-For": f"203.0.113.{n}"})[0] for n in range(limit + 1)
    ]
    assert statuses == [404] * limit + [429]  # a new made-up address each time does not help


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(connect, platform):
    proxy = connect(peer=PROXY)
    limit = platform.settings.query_rate_per_minute
    # The client wrote the left entry itself; the proxy appended what it saw (the right one).
    forged = {"X-Forwarded-For": "192.0.2.99, 203.0.113.5"}
    assert api_queries(proxy, limit + 1, **forged) == [404] * limit + [429]
    assert api_queries(proxy, 1, **{"X-Forwarded-For": "203.0.113.6"}) == [404]
    assert api_queries(proxy, 1, **{"X-Forwarded-For": "192.0.2.99, 203.0.113.5"}) == [429]


NETWORKS = parse_networks(TRUSTED)
addresses = st.ip_addresses(v=4).map(str)
proxies = st.integers(1, 254).map(lambda n: f"10.1.2.{n}")
junk = st.text(max_size=30)


@given(peer=st.sampled_from(["198.51.100.7", "2001:db8::7", "testclient"]), header=st.lists(junk))
def test_an_untrusted_peer_is_the_client_whatever_the_header_says(peer, header):
    assert client_address(peer, header, NETWORKS) in (peer, "2001:db8::7")


@given(
    forged=st.lists(st.one_of(addresses, junk), max_size=4),
    client=addresses.filter(lambda a: not a.startswith("10.")),
    hops=st.lists(proxies, max_size=3),
)
def test_behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client(forged, client, hops):
    header = [", ".join([*forged, client, *hops])] if forged else [", ".join([client, *hops])]
    assert client_address("10.0.0.2", header, NETWORKS) == client


def test_ipv6_clients_are_counted_per_64_network(controls):
    for n in range(1, 31):
        controls.hit(PUBLIC_QUERY, f"2001:db8:1:2::{n:x}")
    assert controls.remaining(PUBLIC_QUERY, "2001:db8:1:2:ffff::1") == 0
    assert controls.remaining(PUBLIC_QUERY, "2001:db8:1:3::1") == 30


# -- the captcha --------------------------------------------------------------------------------


def solve(client, html: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = captcha_token(html)
    answer = client.app.state.web.captcha.solution(token)
    assert answer
    return {"captcha_token": token, "captcha": answer}


def test_the_captcha_page_holds_no_answer_in_text_only_an_image(connect):
    client = connect()
    page = client.get("/query").text
    token = captcha_token(page)
    answer = client.app.state.web.captcha.solution(token)
    assert answer and answer not in page and answer.lower() not in page
    assert "captcha-question" not in page
    image = re.search(r'<img src="(/captcha/[^"]+\.png)"[^>]*alt="([^"]+)"', page)
    assert image, "the challenge is an image with an alt text"
    assert answer not in image.group(2) and "5 个字符" in image.group(2)
    assert '<label for="f-captcha">验证码</label>' in page and 'href="/query"' in page
    png = client.get(image.group(1))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:4] == b"\x89PNG" and answer.encode() not in png.content
    assert png.headers["cache-control"] == "no-store"


def test_a_forged_captcha_token_gets_no_image_and_is_refused(connect):
    client = connect()
    page = client.get("/query").text
    token = captcha_token(page)
    expires, nonce, _ = token.split(".")
    forged = f"{int(expires) + 1}.{nonce}.AAAAAAAAAAAAAAAAAAAAAA"
    assert client.get(f"/captcha/{forged}.png").status_code == 404
    answer = client.app.state.web.captcha.solution(token)
    data = {"csrf_token": csrf(page), **QUERY, "captcha_token": forged, "captcha": answer}
    assert client.post("/query", data=data).status_code == 422


def test_a_solved_captcha_token_is_refused_the_second_time(connect):
    client = connect()
    page = client.get("/query").text
    data = {"csrf_token": csrf(page), **QUERY, **solve(client, page)}
    assert client.post("/query", data=data).status_code == 404  # accepted: not on the platform
    again = client.post("/query", data=data)
    assert again.status_code == 422 and 'id="e-captcha"' in again.text


def test_a_captcha_token_used_on_one_process_is_refused_on_another(connect, platform, controls):
    other = make_controls(platform, "redis", prefix=controls.prefix) if controls.redis else controls
    first, second = connect(), connect(abuse=other)
    page = first.get("/query").text
    data = {"csrf_token": csrf(page), **QUERY, **solve(first, page)}
    second.cookies.update(first.cookies)
    assert first.post("/query", data=data).status_code == 404
    assert second.post("/query", data=data).status_code == 422
    if other is not controls:
        other.close()


def test_a_wrong_answer_uses_the_token_up(connect):
    client = connect()
    page = client.get("/query").text
    solved = solve(client, page)
    wrong = {"csrf_token": csrf(page), **QUERY, **solved, "captcha": "22222"}
    assert client.post("/query", data=wrong).status_code == 422
    right = {"csrf_token": csrf(page), **QUERY, **solved}
    assert client.post("/query", data=right).status_code == 422


def test_an_expired_captcha_is_refused(connect):
    client = connect()
    page = client.get("/query").text
    book = client.app.state.web.captcha
    solved = solve(client, page)
    book._clock = lambda: time.time() + 601
    data = {"csrf_token": csrf(page), **QUERY, **solved}
    assert client.post("/query", data=data).status_code == 422


# -- officer login ------------------------------------------------------------------------------


def token(client, username: str, password: str, **headers: str) -> int:  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password}
    return int(client.post("/api/v1/auth/token", data=data, headers=headers).status_code)


def test_30_wrong_passwords_are_not_followed_by_a_working_right_one(connect, world):
    client = connect()
    statuses = [token(client, "zh", f"guess-{n}") for n in range(30)]
    assert statuses == [401] * 5 + [429] * 25
    response = client.post(
        "/api/v1/auth/token", data={"username": "zh", "password": world.password}
    )
    assert response.status_code == 429 and "access_token" not in response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "登录失败次数过多" in response.json()["detail"]


def test_the_account_lock_holds_from_every_address(connect, world):
    proxy = connect(peer=PROXY)
    for n in range(5):
        assert token(proxy, "zh", "wrong", **{"X-Forwarded-For": f"203.0.113.{n}"}) == 401
    assert token(proxy, "zh", world.password, **{"X-Forwarded-For": "203.0.113.200"}) == 429
    assert token(proxy, "cq", world.password, **{"X-Forwarded-For": "203.0.113.200"}) == 200


def test_the_address_lock_holds_for_every_account(connect, world):
    client = connect()
    statuses = [token(client, f"nobody-{n}", "wrong") for n in range(21)]
    assert statuses == [401] * 20 + [429]
    assert token(client, "cq", world.password) == 429
    assert token(connect(peer=("198.51.100.8", 1)), "cq", world.password) == 200


def test_a_success_clears_the_account_count(connect, world):
    client = connect()
    for _ in range(2):
        assert [token(client, "zh", "wrong") for _ in range(4)] == [401] * 4
        assert token(client, "zh", world.password) == 200


def test_the_officer_login_page_is_locked_too(connect, world):
    client = connect()
    for _ in range(5):
        wrong = {"username": "zh", "password": "wrong"}
        assert post_form(client, "/officer/login", "/officer/login", wrong).status_code == 401
    right = {"username": "zh", "password": world.password}
    page = post_form(client, "/officer/login", "/officer/login", right)
    assert page.status_code != 303 and "登录失败次数过多" in page.text
    assert client.get("/officer/queue", follow_redirects=False).status_code == 303


def test_the_wait_grows_with_the_failures(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    abuse = AbuseControls(clock=lambda: now[0])
    for _ in range(5):
        abuse.record(OFFICER_LOGIN_ACCOUNT, "zh")
    with pytest.raises(TooManyRequests) as first:
        abuse.check(OFFICER_LOGIN_ACCOUNT, "zh")
    now[0] += 61
    abuse.check(OFFICER_LOGIN_ACCOUNT, "ZH ")  # a minute later the same account may try again
    for _ in range(5):
        abuse.record(OFFICER_LOGIN_ACCOUNT, "zh")
    with pytest.raises(TooManyRequests) as second:
        abuse.check(OFFICER_LOGIN_ACCOUNT, "zh")
    assert first.value.retry_after <= 60 < 3000 < second.value.retry_after <= 3600
    assert "分钟" in second.value.message_zh
    abuse.close()


# -- holder login, fake reports, photo uploads --------------------------------------------------


def holder_login(client, id_number: str, name: str):  # type: ignore[no-untyped-def]
    values = {"id_number": id_number, "name": name}
    return post_form(client, "/holder/login", "/holder/login", values)


def test_holder_logins_are_limited_per_id_number_from_any_address(connect):
    proxy = connect(peer=PROXY)
    statuses = []
    for n in range(11):
        proxy.headers["X-Forwarded-For"] = f"203.0.113.{n}"
        statuses.append(holder_login(proxy, UNKNOWN_ID, f"张{n}"))
    assert [r.status_code for r in statuses[:10]] == [422] * 10
    assert "登录尝试过于频繁" in statuses[10].text
    assert "登录尝试过于频繁" not in statuses[9].text


def test_sms_codes_are_limited_per_id_number_and_failed_logins_use_none(connect, ctx, world):
    row = make_result(name="李四")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    client = connect()
    for _ in range(5):
        assert "登录尝试过于频繁" not in holder_login(client, row["id_number"], "王五").text
    sent = [holder_login(client, row["id_number"], "李四") for _ in range(4)]
    assert [r.status_code for r in sent[:3]] == [303] * 3
    assert sent[3].status_code == 422 and "短信验证码发送次数过多" in sent[3].text


def test_code_entry_is_limited_per_address(connect):
    client = connect()
    pages = [
        post_form(client, "/holder/code", "/holder/code", {"code": "000000"}) for _ in range(21)
    ]
    assert all("验证码尝试过于频繁" not in page.text for page in pages[:20])
    assert "验证码尝试过于频繁" in pages[20].text


def test_fake_certificate_reports_are_limited_per_address(connect, platform, world):
    client = connect()
    report = {"id_number": "440402199005170000", "details": "工地上有人出示"}
    statuses = [post_form(client, "/query", "/report", report).status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]
    assert len(clues.clues_for(platform.ctx, world.guangdong_officer)) == 5


def test_photo_uploads_are_limited_per_address(connect):
    client = connect()
    files = {"photo": ("qr.png", png_without_qr(), "image/png")}
    statuses = [
        post_form(client, "/verify", "/verify", {}, files=files).status_code for _ in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    pasted = post_form(client, "/verify", "/verify", {"payload": "SC1:nonsense"})
    assert pasted.status_code != 429  # pasting the text of a QR is not an upload


# -- two served processes -----------------------------------------------------------------------


def served(env: dict[str, str], log: Path) -> tuple[httpx.Client, subprocess.Popen[bytes]]:
    """``opcert serve`` on a free port, and a client of it once ``/healthz`` answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [str(BIN / "opcert"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if client.get("/healthz").status_code == 200:
                return client, process
        except httpx.HTTPError:
            time.sleep(0.1)  # polling the server's start-up, not waiting in a test
    process.terminate()
    raise RuntimeError(f"opcert serve did not start: {log.read_text(errors='replace')[-2000:]}")


def test_two_served_processes_over_one_redis_share_the_limit_and_the_used_captchas(tmp_path):
    redis_or_skip()
    prefix = f"opcert-abuse-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "OPCERT_DATA_DIR": str(tmp_path),
        "OPCERT_ENV": "development",
        "OPCERT_REDIS_URL": REDIS_URL,
        "OPCERT_REDIS_KEY_PREFIX": prefix,
        "OPCERT_WARM_STATUS_LISTS": "false",
    }
    for name in ("OPCERT_DATABASE_URL", "OPCERT_FAKE_NOW", "OPCERT_TRUSTED_PROXIES"):
        env.pop(name, None)
    subprocess.run([str(BIN / "opcert"), "init"], env=env, check=True, capture_output=True)
    servers = [served(env, tmp_path / f"server-{n}.log") for n in range(2)]
    try:
        (a, _), (b, _) = servers
        page = a.get("/query").text
        token = captcha_token(page)
        book = CaptchaBook(Settings(env="development").secret("captcha"), lambda *_: True)
        data = {"csrf_token": csrf(page), **QUERY, "captcha_token": token}
        data["captcha"] = book.solution(token) or ""
        b.cookies.update(a.cookies)
        assert a.post("/query", data=data).status_code == 404  # solved on A ...
        assert b.post("/query", data=data).status_code == 422  # ... refused on B
        left = Settings(env="development").query_rate_per_minute - 2
        on_a = [a.get("/api/v1/certificates", params=QUERY).status_code for _ in range(left // 2)]
        rest = left - left // 2
        on_b = [b.get("/api/v1/certificates", params=QUERY).status_code for _ in range(rest + 1)]
        assert on_a == [404] * (left // 2) and on_b == [404] * rest + [429]
    finally:
        for client, process in servers:
            client.close()
            process.terminate()
            process.wait(timeout=10)
        AbuseControls(REDIS_URL, prefix=prefix).reset()
