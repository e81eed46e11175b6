"""The error pages a browser gets (404, 403, 405, 413, 422, 429, an expired form, 500): HTML in
the visitor's language with a way back; the API keeps problem+json; nothing internal leaks."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from opcert.interfaces.api.app import create_app
from opcert.services.abuse import default_policy
from tests.integration.web_pages import query

PROBLEM = "application/problem+json"


def hrefs(html: str) -> list[str]:
    """The links of the page's ways back (the error page's own navigation)."""
    ways = html.split('class="ways"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]*)"', ways)


def test_an_unknown_page_gets_a_chinese_404_page_with_a_way_home(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text
    assert "找不到这个页面" in page.text and 'data-testid="not-found"' in page.text
    assert "/" in hrefs(page.text)


def test_the_404_page_in_english_is_explained_in_english(client):
    page = client.get("/no-such-page", params={"lang": "en"})
    assert page.status_code == 404
    assert '<html lang="en">' in page.text
    assert "Page not found" in page.text and "找不到这个页面" not in page.text


def test_an_unknown_api_path_still_answers_problem_json_byte_for_byte(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "https://opcert.example/problems/http-404",
        "title": "未找到",
        "status": 404,
        "code": "HTTP_404",
        "detail": "未找到",
        "detail_en": "not found",
        "errors": [],
    }


def test_a_form_posted_without_its_token_gets_the_expired_form_page_and_nothing_is_done(client):
    client.get("/query")
    page = client.post(
        "/query",
        data={"id_number": "11010519491231002X", "name": "张三"},
        headers={"referer": "http://testserver/query"},
    )
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "表单已过期" in page.text and 'data-testid="form-expired"' in page.text
    assert hrefs(page.text)[0] == "/query"  # back to the form, first
    assert "重新打开表单" in page.text


def test_an_expired_form_without_a_referer_leads_back_to_the_forms_own_page(client):
    page = client.post("/verify", data={"payload": "SC1:X"})
    assert page.status_code == 403
    assert hrefs(page.text) == ["/verify", "/"]


def test_an_expired_officer_form_offers_the_officer_login(client):
    page = client.post("/officer/logout", data={})
    assert page.status_code == 403
    assert "/officer/login" in hrefs(page.text)
    assert "发证机关工作人员登录" in page.text


def test_opening_a_post_only_address_gets_a_405_page_with_allow(client):
    page = client.get("/report")
    assert page.status_code == 405
    assert page.headers["allow"] == "POST"
    assert "无法这样打开此页面" in page.text and 'data-testid="method"' in page.text


def test_a_form_body_over_the_limit_gets_a_413_page_not_json(client):
    page = client.post(
        "/query",
        content=b"name=" + b"x" * (1024 * 1024 + 10),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "提交的内容过大" in page.text and "1048576" not in page.text


def test_a_refused_character_in_the_path_gets_the_422_page(client):
    page = client.get("/query%E2%80%AE")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-testid="refused-input"' in page.text and "输入有误" in page.text


def test_the_rate_limited_page_says_when_to_try_again_and_sends_retry_after(
    client, platform, world
):
    platform.abuse.policy = default_policy(query_rate_per_minute=1)
    try:
        query(client, "11010519491231002X", "张三")
        page = query(client, "11010519491231002X", "张三")
    finally:
        platform.abuse.policy = default_policy(platform.settings.query_rate_per_minute)
    assert page.status_code == 429
    wait = int(page.headers["retry-after"])
    assert 0 < wait <= 60
    assert 'data-testid="rate-limited"' in page.text
    assert "查询过于频繁" in page.text and "后再试" in page.text
    assert hrefs(page.text)[0] == "/query"


def failing(platform, path: str):  # type: ignore[no-untyped-def]
    """The answer to GET ``path`` on an app where that route fails with an internal message."""
    app = create_app(platform)

    def boom() -> None:
        raise RuntimeError("SECRET-INTERNAL-DETAIL at /srv/opcert/db.py line 12")

    app.add_api_route(path, boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        return client.get(path)


def test_a_failure_inside_a_page_gets_the_500_page_without_its_text(platform):
    page = failing(platform, "/boom")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "系统出错了" in page.text and 'data-testid="server"' in page.text
    assert "SECRET" not in page.text and "Traceback" not in page.text and ".py" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_a_failure_under_the_api_is_problem_json_500_without_its_text(platform):
    response = failing(platform, "/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert "SECRET" not in response.text


def test_a_referer_from_another_host_is_never_offered_as_the_way_back(client):
    for referer in (
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/x",
        "javascript:alert(1)",
        "http://testserver/\\evil.example",
    ):
        page = client.get("/no-such-page", headers={"referer": referer})
        assert page.status_code == 404
        assert hrefs(page.text) == ["/"], referer
        assert "evil.example" not in page.text and "javascript:" not in page.text


def test_a_referer_on_this_site_is_offered_as_the_way_back(client):
    page = client.get(
        "/no-such-page", headers={"referer": "http://testserver/institutions?item=1.2"}
    )
    assert hrefs(page.text) == ["/institutions?item=1.2", "/"]


def test_an_unknown_page_in_an_area_offers_that_areas_login(client):
    for area, login in (
        ("officer", "/officer/login"),
        ("holder", "/holder/login"),
        ("institution", "/institution/login"),
    ):
        page = client.get(f"/{area}/no-such-page/x")
        assert page.status_code == 404
        assert login in hrefs(page.text)


def test_the_error_previews_exist_only_with_the_development_outbox(client, platform):
    assert client.get("/dev/errors/rate_limited").status_code == 429
    kept = platform.outbox
    platform.outbox = None
    try:
        page = client.get("/dev/errors/rate_limited")
    finally:
        platform.outbox = kept
    assert page.status_code == 404 and "找不到这个页面" in page.text


def test_a_missing_static_file_is_the_404_page(client):
    page = client.get("/static/web/no-such-file.js")
    assert page.status_code == 404 and "找不到这个页面" in page.text


def test_a_logged_in_officer_is_led_back_to_the_queue_not_to_the_login(client, world):
    from tests.integration.test_web_staff import officer_login

    assert officer_login(client, world).status_code == 303
    for url in ("/officer/no-such-page", "/officer/applications/no-such-id"):
        page = client.get(url)
        assert page.status_code == 404
        assert "/officer/queue" in hrefs(page.text) and "/officer/login" not in hrefs(page.text)


def test_the_health_check_keeps_its_short_json_for_a_wrong_method(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
