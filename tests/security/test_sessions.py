"""Sessions that end (issue 12, part 3): logout, password change and an administrator end
sessions for every role; expired sessions, used login challenges, foreign CSRF tokens and the
institution API key open nothing; cookies and caching are safe.

Every test runs on both session stores (database and Redis) and both databases.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app as cli_app
from opcert.services.holders import identity
from opcert.services.kernel import authentication
from opcert.services.kernel.session_store import digest
from opcert.services.registry import parties as registry
from tests.integration.web_pages import post_form
from tests.security.session_helpers import (
    INSTITUTION_USER,
    add_institution_user,
    bearer,
    form_token,
    holder_code_step,
    holder_web_login,
    institution_web_login,
    issued_holder,
    new_client,
    officer_api_token,
    officer_web_login,
    redirects_to_login,
    redis_store,
    wired,
)


@pytest.fixture(params=["database", "redis"])
def store(request, platform):  # type: ignore[no-untyped-def]
    if request.param == "database":
        with wired(platform, platform.ctx.sessions) as wired_platform:
            yield wired_platform.ctx.sessions
        return
    with redis_store() as shared, wired(platform, shared):
        yield shared


@pytest.fixture
def web(platform, store):  # type: ignore[no-untyped-def]
    with new_client(platform) as client:
        yield client


@pytest.fixture
def cli(platform, store, monkeypatch):  # type: ignore[no-untyped-def]
    """``opcert`` commands against the test platform (and its session store)."""
    monkeypatch.setattr(cli_context, "platform", lambda: platform)
    runner = CliRunner()

    def run(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(cli_app, list(args))
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return run


def with_cookie(platform, name: str, value: str):  # type: ignore[no-untyped-def]
    """A fresh browser that carries only one (old) cookie."""
    client = new_client(platform)
    client.cookies.set(name, value)
    return client


def ledger_kinds(platform) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with platform.engine.connect() as connection:
        rows = connection.execute(text("SELECT actor, kind, subject FROM ledger_entries"))
        return [(row.actor, row.kind, row.subject) for row in rows]


# logout, every role


def test_an_officer_web_logout_refuses_the_old_cookie_afterwards(platform, web, world):
    old = officer_web_login(web, world)
    assert web.get("/officer/queue").status_code == 200
    post_form(web, "/officer/queue", "/officer/logout", {})
    with with_cookie(platform, "opcert_officer", old) as replay:
        assert redirects_to_login(
            replay.get("/officer/queue", follow_redirects=False), "/officer/login"
        )
    assert ("officer:zh", "session.logout", f"officer:{world.zhuhai_officer.id}") in ledger_kinds(
        platform
    )


def test_an_officer_api_logout_refuses_the_old_bearer_token(web, world):
    token = officer_api_token(web, world)
    assert web.get("/api/v1/applications", headers=bearer(token)).status_code == 200
    assert web.post("/api/v1/auth/logout", headers=bearer(token)).json() == {"logged_out": True}
    refused = web.get("/api/v1/applications", headers=bearer(token))
    assert refused.status_code == 401
    assert web.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 401


def test_a_holder_logout_refuses_the_old_cookie_for_pages_and_downloads(platform, web, world):
    row = issued_holder(platform, world)
    old = holder_web_login(web, row)
    pdf = f"/holder/certificates/T{row['id_number']}/1.2.pdf"
    assert web.get(pdf).content[:5] == b"%PDF-"
    post_form(web, "/holder/certificates", "/holder/logout", {})
    with with_cookie(platform, "opcert_holder", old) as replay:
        page = replay.get("/holder/certificates", follow_redirects=False)
        assert redirects_to_login(page, "/holder/login")
        assert redirects_to_login(replay.get(pdf, follow_redirects=False), "/holder/login")
    kinds = ledger_kinds(platform)
    assert (f"holder:{row['id_number']}", "session.logout", f"holder:{row['id_number']}") in kinds


def test_an_institution_logout_refuses_the_old_cookie(platform, web, world):
    add_institution_user(platform)
    old = institution_web_login(web)
    assert web.get("/institution/upload").status_code == 200
    post_form(web, "/institution/upload", "/institution/logout", {})
    with with_cookie(platform, "opcert_institution", old) as replay:
        upload = replay.get("/institution/upload", follow_redirects=False)
        assert redirects_to_login(upload, "/institution/login")
    actors = [actor for actor, kind, _ in ledger_kinds(platform) if kind == "session.logout"]
    assert actors == [f"institution-user:{INSTITUTION_USER}"]


# password change and administrators


def test_changing_the_password_on_the_page_ends_every_session_of_the_officer(platform, web, world):
    cookie = officer_web_login(web, world)
    with new_client(platform) as api:
        token = officer_api_token(api, world)
        changed = post_form(
            web,
            "/officer/password",
            "/officer/password",
            {
                "current_password": world.password,
                "new_password": "a much longer new secret",
                "confirm_password": "a much longer new secret",
            },
        )
        assert changed.headers["location"] == "/officer/login?changed=1"
        assert api.get("/api/v1/applications", headers=bearer(token)).status_code == 401
        new = api.post(
            "/api/v1/auth/token", data={"username": "zh", "password": "a much longer new secret"}
        )
        assert new.status_code == 200
        old = api.post("/api/v1/auth/token", data={"username": "zh", "password": world.password})
        assert old.status_code == 401
    with with_cookie(platform, "opcert_officer", cookie) as replay:
        assert redirects_to_login(
            replay.get("/officer/queue", follow_redirects=False), "/officer/login"
        )
    assert ("officer:zh", "officer.password_changed", "officer:zh") in ledger_kinds(platform)


def test_the_password_api_needs_the_current_password_and_then_ends_every_session(web, world):
    first, second = officer_api_token(web, world), officer_api_token(web, world)
    wrong = web.post(
        "/api/v1/auth/password",
        headers=bearer(first),
        data={"current_password": "not it", "new_password": "a much longer new secret"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    short = web.post(
        "/api/v1/auth/password",
        headers=bearer(first),
        data={"current_password": world.password, "new_password": "short"},
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "new_password"
    done = web.post(
        "/api/v1/auth/password",
        headers=bearer(first),
        data={"current_password": world.password, "new_password": "a much longer new secret"},
    )
    assert done.json() == {"sessions_revoked": 2}
    for token in (first, second):
        assert web.get("/api/v1/applications", headers=bearer(token)).status_code == 401


def test_the_password_command_sets_a_new_password_and_ends_the_officers_sessions(
    platform, web, world, cli
):
    token = officer_api_token(web, world)
    password = cli("officers", "password", "--username", "zh").stdout.strip().splitlines()[-1]
    assert web.get("/api/v1/applications", headers=bearer(token)).status_code == 401
    login = web.post("/api/v1/auth/token", data={"username": "zh", "password": password})
    assert login.status_code == 200


def test_the_revoke_command_ends_the_sessions_of_each_kind_of_party(platform, web, world, cli):
    officer = officer_api_token(web, world)
    row = issued_holder(platform, world)
    add_institution_user(platform)
    with new_client(platform) as holder_browser, new_client(platform) as institution_browser:
        holder_web_login(holder_browser, row)
        institution_web_login(institution_browser)
        cli("sessions", "revoke", "--officer", "zh")
        cli("sessions", "revoke", "--holder", str(row["id_number"]))
        cli("sessions", "revoke", "--institution-user", INSTITUTION_USER)
        assert web.get("/api/v1/applications", headers=bearer(officer)).status_code == 401
        assert redirects_to_login(
            holder_browser.get("/holder/certificates", follow_redirects=False), "/holder/login"
        )
        assert redirects_to_login(
            institution_browser.get("/institution/upload", follow_redirects=False),
            "/institution/login",
        )
    revoked = [(a, s) for a, k, s in ledger_kinds(platform) if k == "session.revoked"]
    assert [actor for actor, _ in revoked] == ["cli:operator"] * 3
    cli("sessions", "revoke", "--officer", "zh", "--holder", "x", code=2)


def test_an_admin_ends_an_officers_sessions_within_their_region_and_others_may_not(web, world, ctx):
    target = officer_api_token(web, world, "zh")
    registry.add_officer(
        ctx, username="gd-admin", region="440000", role="admin", password=world.password
    )
    registry.add_officer(
        ctx, username="cq-admin", region="500000", role="admin", password=world.password
    )
    approver = officer_api_token(web, world, "gd")
    denied = web.post("/api/v1/sessions/revoke", headers=bearer(approver), json={"officer": "zh"})
    assert denied.status_code == 403
    other_region = officer_api_token(web, world, "cq-admin")
    outside = web.post(
        "/api/v1/sessions/revoke", headers=bearer(other_region), json={"officer": "zh"}
    )
    assert outside.status_code == 404  # outside the region: as unknown
    assert web.get("/api/v1/applications", headers=bearer(target)).status_code == 200
    admin = officer_api_token(web, world, "gd-admin")
    done = web.post("/api/v1/sessions/revoke", headers=bearer(admin), json={"officer": "zh"})
    assert done.json() == {"officer": "zh", "sessions_revoked": 1}
    assert web.get("/api/v1/applications", headers=bearer(target)).status_code == 401


# expiry and login challenges


def test_an_expired_session_is_refused_for_every_role(platform, web, world, clock):
    token = officer_api_token(web, world)
    cookie = officer_web_login(web, world)
    row = issued_holder(platform, world)
    with new_client(platform) as holder_browser:
        holder_web_login(holder_browser, row)
        clock.advance(timedelta(hours=platform.settings.holder_session_hours, seconds=1))
        assert redirects_to_login(
            holder_browser.get("/holder/certificates", follow_redirects=False), "/holder/login"
        )
    assert web.get("/api/v1/applications", headers=bearer(token)).status_code == 200
    clock.advance(timedelta(hours=platform.settings.officer_token_hours))
    assert web.get("/api/v1/applications", headers=bearer(token)).status_code == 401
    with with_cookie(platform, "opcert_officer", cookie) as replay:
        assert redirects_to_login(
            replay.get("/officer/queue", follow_redirects=False), "/officer/login"
        )


def test_a_used_login_challenge_cannot_make_a_second_holder_session(platform, web, world):
    row = issued_holder(platform, world)
    challenge = holder_code_step(web, row)
    assert post_form(web, "/holder/face", "/holder/face", {"evidence": "pass"}).status_code == 303
    with with_cookie(platform, "opcert_login", challenge) as replay:
        again = post_form(replay, "/holder/face", "/holder/face", {"evidence": "pass"})
        assert "opcert_holder" not in again.cookies
        assert again.status_code in (303, 422) and again.headers.get("location") != (
            "/holder/certificates"
        )
        assert redirects_to_login(
            replay.get("/holder/certificates", follow_redirects=False), "/holder/login"
        )


def test_racing_requests_on_one_challenge_get_one_session_between_them(platform, world, store):
    row = issued_holder(platform, world)
    with new_client(platform) as browser:
        challenge = holder_code_step(browser, row)
    results: list[object] = []

    def consume() -> None:
        results.append(identity.consume(platform.ctx, challenge))

    threads = [threading.Thread(target=consume) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


def test_a_login_started_in_one_process_is_continued_in_another(platform, world, store):
    row = issued_holder(platform, world)
    with new_client(platform) as first:
        challenge = holder_code_step(first, row)
    # Another process: its own app and its own identity provider, the same store.
    with wired(platform, store), new_client(platform) as second:
        second.cookies.set("opcert_login", challenge)
        face = post_form(second, "/holder/face", "/holder/face", {"evidence": "pass"})
        assert face.headers["location"] == "/holder/certificates"
        assert "李四" in second.get("/holder/certificates").text


# CSRF, cookies, caching


def test_a_csrf_token_from_another_session_is_refused(platform, web, world):
    officer_web_login(web, world, "zh")
    with new_client(platform) as other:
        officer_web_login(other, world, "gd")
        foreign = form_token(other, "/officer/queue")
        refused = web.post("/officer/logout", data={"csrf_token": foreign}, follow_redirects=False)
        assert refused.status_code == 403
        anonymous = new_client(platform)
        before_login = form_token(anonymous, "/officer/login")
        assert (
            web.post(
                "/officer/logout", data={"csrf_token": before_login}, follow_redirects=False
            ).status_code
            == 403
        )
        anonymous.close()
    own = form_token(web, "/officer/queue")
    assert (
        web.post("/officer/logout", data={"csrf_token": own}, follow_redirects=False).status_code
        == 303
    )


def test_an_anonymous_form_token_is_bound_to_its_own_browser(platform, web):
    with new_client(platform) as other:
        foreign = form_token(other, "/officer/login")
        form_token(web, "/officer/login")
        refused = web.post(
            "/officer/login",
            data={"csrf_token": foreign, "username": "zh", "password": "x"},
            follow_redirects=False,
        )
        assert refused.status_code == 403


def _set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        header.split("=", 1)[0]: header.lower()
        for header in response.headers.get_list("set-cookie")
    }


def test_session_cookies_are_httponly_and_lax_and_not_secure_in_development(web, world):
    page = web.get("/officer/login")
    login = post_form(
        web, "/officer/login", "/officer/login", {"username": "zh", "password": world.password}
    )
    for header in [*_set_cookies(page).values(), *_set_cookies(login).values()]:
        assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    assert "opcert_officer" in _set_cookies(login)


def test_session_cookies_are_secure_in_production(platform, store, world, monkeypatch):
    monkeypatch.setattr(platform.settings, "env", "production")
    with new_client(platform, base_url="https://testserver") as secure:
        login = post_form(
            secure,
            "/officer/login",
            "/officer/login",
            {"username": "zh", "password": world.password},
        )
        cookie = _set_cookies(login)["opcert_officer"]
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        logout = post_form(secure, "/officer/queue", "/officer/logout", {})
        assert "secure" in _set_cookies(logout)["opcert_officer"]


def test_personal_pages_and_downloads_are_not_stored_by_caches(platform, web, world):
    row = issued_holder(platform, world)
    holder_web_login(web, row)
    number = f"T{row['id_number']}"
    officer_web_login(web, world)
    add_institution_user(platform)
    institution_web_login(web)
    for path in (
        "/holder/certificates",
        f"/holder/certificates/{number}/1.2.pdf",
        f"/holder/certificates/{number}/1.2/qr.png",
        f"/holder/certificates/{number}/1.2/qr",
        "/officer/queue",
        "/officer/password",
        "/institution/upload",
        "/holder/login",
    ):
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


# the institution API key and stored secrets


def test_the_api_key_no_longer_opens_the_institution_web_pages(platform, web, world):
    with with_cookie(platform, "opcert_institution", world.zhuhai_key) as replay:
        assert redirects_to_login(
            replay.get("/institution/upload", follow_redirects=False), "/institution/login"
        )
    as_password = post_form(
        web,
        "/institution/login",
        "/institution/login",
        {"username": "EXAM-ZH", "password": world.zhuhai_key, "api_key": world.zhuhai_key},
    )
    assert as_password.status_code == 401 and "opcert_institution" not in as_password.cookies
    add_institution_user(platform)
    cookie = institution_web_login(web)
    assert cookie != world.zhuhai_key and not cookie.startswith(authentication.API_KEY_PREFIX)
    assert (
        web.post("/api/v1/exam-results", headers=bearer(cookie), json={"results": []}).status_code
        == 401
    )


def test_only_the_digest_of_a_session_token_is_stored(platform, web, world, store):
    token = officer_api_token(web, world)
    record = store.session(digest(token))
    assert record is not None and record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert store.session(token) is None
    with platform.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM sessions")).scalars().all()
    assert token not in stored


def test_an_unknown_or_inactive_officer_costs_the_same_scrypt_as_a_wrong_password(
    platform, world, ctx, monkeypatch
):
    calls: list[bytes] = []
    real = hashlib.scrypt

    def counting(password: bytes, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(password)
        return real(password, **kwargs)

    monkeypatch.setattr(authentication.hashlib, "scrypt", counting)
    with ctx.uow() as uow:
        uow.registry.officer_by_username("insp").active = False  # type: ignore[union-attr]
        uow.commit()
    counts = {}
    for case, username in [("unknown", "nobody"), ("inactive", "insp"), ("wrong", "zh")]:
        calls.clear()
        with pytest.raises(Exception, match="用户名或密码错误"):
            authentication.officer_login(ctx, username, "not the password")
        counts[case] = len(calls)
    calls.clear()
    authentication.officer_login(ctx, "zh", world.password)
    counts["right"] = len(calls)
    assert counts == {"unknown": 1, "inactive": 1, "wrong": 1, "right": 1}


def test_hostile_names_at_login_and_revocation_are_refused_without_a_server_error(web, world, ctx):
    for username in ["zh\x00", "\x00", "z" * 500]:
        login = web.post("/api/v1/auth/token", data={"username": username, "password": "x\x00"})
        assert login.status_code == 422  # a NUL is refused before any lookup (input hygiene)
        page = post_form(
            web,
            "/institution/login",
            "/institution/login",
            {"username": username, "password": "x"},
        )
        assert page.status_code == (422 if "\x00" in username else 401)
    registry.add_officer(
        ctx, username="nation", region="000000", role="admin", password=world.password
    )
    admin = bearer(officer_api_token(web, world, "nation"))
    for body in (b'{"officer": "\\u0000"}', b'{"officer": "\\ud800"}', b'{"holder": "\\ud800"}'):
        revoked = web.post("/api/v1/sessions/revoke", headers=admin, content=body)
        assert 400 <= revoked.status_code < 500, (body, revoked.text)
    for body in (b'{"officer": 1}', b"[]", b'{"officer": "zh", "holder": "x"}'):
        assert web.post("/api/v1/sessions/revoke", headers=admin, content=body).status_code == 422
