"""Security headers on every response (issue 12, part 9).

Every GET route of the application is visited, the pages with real data behind them (a holder,
an officer and an exam institution logged in, an application, an identity review, an error
sheet), the API routes with whatever they answer. Every response carries the headers; every
rendered page is parsed and holds no inline script, event handler, ``javascript:`` URL or inline
style, so the policy's ``script-src 'self'`` and ``style-src 'self'`` cannot break a page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opcert.bootstrap import Platform
from opcert.interfaces.api.app import create_app
from opcert.interfaces.api.security_headers import PAGE_POLICY
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result, small_png
from tests.integration.web_pages import post_form, query
from tests.security.session_helpers import add_institution_user, institution_web_login
from tests.security.test_production import production_settings

CODE = re.compile(r"验证码 (\d{6})")


class PageAudit(HTMLParser):
    """What in a page the policy would block: inline scripts, handlers, styles, js: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            # A data block (type application/json, filled by Jinja's tojson, which escapes <, >
            # and &) is never run, so the policy's script-src does not apply to it.
            if names.get("type", "").strip().lower() == "application/json" and "src" not in names:
                return
            self._in_script = True
            if not names.get("src"):
                self.problems.append("a <script> without src")
        if tag == "style":
            self.problems.append("a <style> element")
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"an event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"a style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"a javascript: URL in <{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script text {data.strip()[:40]!r}")


def audit(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def assert_secure_headers(response: Any, *, production: bool = False) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert ("strict-transport-security" in headers) is production, where
    if headers.get("content-type", "").startswith("text/html"):
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, where
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, where
        assert audit(response.text) == [], where
    else:
        assert policy.startswith("default-src 'none'"), where


@pytest.fixture
def logged_in(client, ctx, world, platform) -> dict[str, str]:
    """The client logged in as a holder, a Guangdong officer (who sees the held application and
    the identity review) and the Zhuhai exam institution; returns the values of path parameters."""
    row = make_result(name="李四")
    [issued] = submit_results(ctx, world.zhuhai, [row])
    assert issued.outcome == "issued"
    from opcert.services.registry import parties as registry

    registry.set_auto_approve(ctx, "CN-440000", False)
    [held] = submit_results(ctx, world.zhuhai, [make_result()])
    assert held.application_id
    # Holder: code, then a failed face check (an identity review), then the certificates.
    post_form(client, "/holder/login", "/holder/login", {"id_number": row["id_number"],
              "name": "李四"})  # fmt: skip
    code = CODE.search(client.get("/dev/outbox").text)
    assert code
    post_form(client, "/holder/code", "/holder/code", {"code": code.group(1)})
    post_form(client, "/holder/face", "/holder/face", {"evidence": "fail"})
    photo = {"photo": ("me.png", small_png(), "image/png")}
    post_form(client, "/holder/review", "/holder/review", {"authority": "CN-440000"}, files=photo)
    post_form(client, "/holder/login", "/holder/login", {"id_number": row["id_number"],
              "name": "李四"})  # fmt: skip
    code = CODE.search(client.get("/dev/outbox").text)
    assert code
    post_form(client, "/holder/code", "/holder/code", {"code": code.group(1)})
    post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    # Officer of Guangdong (sees the identity review).
    post_form(client, "/officer/login", "/officer/login", {"username": "gd",
              "password": world.password})  # fmt: skip
    reviews = client.get("/officer/identity-reviews").text
    review = re.search(r"/officer/identity-reviews/(\d+)/photo", reviews)
    assert review
    # Exam institution with an error sheet.
    add_institution_user(platform)
    institution_web_login(client)
    bad = make_result(id_number="123")
    header = "ref,id_number,name,item,theory_score,practical_score,exam_date,exam_point,phone\n"
    line = ",".join(str(bad[k]) for k in header.strip().split(","))
    files = {"file": ("r.csv", (header + line).encode(), "text/csv")}
    page = post_form(client, "/institution/upload", "/institution/upload", {}, files=files).text
    sheet = page.split('href="/institution/error-sheets/')[1].split('"')[0]
    captcha = re.search(r'/captcha/([^"/]+)\.png', client.get("/query").text)
    assert captcha
    return {
        "token": captcha.group(1),
        "number": f"T{row['id_number']}",
        "item": "1.2",
        "review_id": review.group(1),
        "app_id": held.application_id,
        "key": sheet,
        "list_id": "CN-440000-1",
        "application_id": held.application_id,
        "cti": "00",
        "cert_no": f"T{row['id_number']}",
        "certificate_no": f"T{row['id_number']}",
        "kid": "unknown",
        "tile": "0/000",
        "kind": "not_found",  # /dev/errors/{kind}: the 404 page (routes/dev_errors.py)
        "letter_id": "1",  # no letter yet: the officer's 404 page
        "unit_type": "province",
        "unit": "440000",
        "code": "NO-SUCH-SUBSCRIBER",  # --- sharing --- the officer's 404 page
        "name": "cn.opcert.certificate.revoked.schema.json",  # /docs/events/{name}
    }


def get_routes(app: Any) -> list[str]:
    """Every GET path of the application. FastAPI 0.165 keeps included routers as branches
    (``effective_route_contexts``); older versions list their routes flat."""
    paths = []
    for route in app.routes:
        found = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for each in found:
            if "GET" in (getattr(each, "methods", None) or ()):
                paths.append(each.path)
    return sorted(set(paths))


def filled(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name not in values:
            raise AssertionError(f"no value for {{{name}}} in {path}: add one to the fixture")
        return values[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def test_every_get_route_answers_with_the_security_headers(client, logged_in):
    routes = get_routes(client.app)
    assert "/docs" in routes and "/holder/certificates" in routes and "/api/v1/verify" not in routes
    pages = 0
    for path in routes:
        response = client.get(filled(path, logged_in), follow_redirects=False)
        assert_secure_headers(response)
        pages += response.headers.get("content-type", "").startswith("text/html")
    assert pages >= 20, "the logged-in pages were rendered, not redirected to a login"


def test_pages_rendered_after_a_form_carry_the_headers_and_no_inline_script(client, ctx, world):
    row = make_result()
    submit_results(ctx, world.zhuhai, [row])
    answers = [
        query(client, row["id_number"], row["name"]),  # the certificate
        query(client, "11010519491231002X", "王五"),  # not found, with the report form
        query(client, "123", ""),  # field errors
        post_form(client, "/verify", "/verify", {"payload": "SC1:nonsense"}),
        post_form(client, "/officer/login", "/officer/login", {"username": "x", "password": "y"}),
        post_form(client, "/holder/login", "/holder/login", {"id_number": "1", "name": ""}),
        post_form(
            client, "/institution/login", "/institution/login", {"username": "x", "password": "y"}
        ),
        client.post("/query", data={"csrf_token": "forged"}),  # 403, not a page
        client.get("/no/such/page"),
    ]
    for response in answers:
        assert_secure_headers(response)
    assert any(r.status_code == 422 for r in answers)


def test_the_api_answers_with_headers_that_allow_nothing_to_run(client, world):
    answers = [
        client.get("/api/v1/certificates", params={"id_number": "1", "name": "x"}),
        client.post("/api/v1/verify", json={"payload": "SC1:nonsense"}),
        client.post("/api/v1/exam-results", json={"results": []}),  # no key: 401
        client.post("/api/v1/exam-results", headers=world.headers(), content=b"{"),
        client.get("/openapi.json"),
        client.get("/healthz"),
        client.get("/.well-known/opcert/trust-list"),
        client.get("/static/web/site.css"),
        client.get("/static/swagger/swagger-ui-bundle.js"),
    ]
    for response in answers:
        assert_secure_headers(response)


def test_the_api_docs_page_starts_swagger_from_a_file_of_this_origin(client):
    page = client.get("/docs")
    assert_secure_headers(page)
    assert '<script src="/static/web/swagger-init.js"></script>' in page.text
    assert "SwaggerUIBundle(" in client.get("/static/web/swagger-init.js").text
    policy = page.headers["content-security-policy"]
    assert "img-src 'self' data:" in policy  # Swagger's stylesheet draws its icons as data: SVG
    assert "http" not in policy and "cdn" not in page.text.lower()


def test_the_page_policy_allows_only_this_origin():
    directives = dict(part.split(" ", 1) for part in PAGE_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"


def _production_app(platform: Platform) -> TestClient:
    settings = production_settings(
        database_url=platform.settings.resolved_database_url, data_dir=platform.settings.data_dir
    )
    production = Platform(settings, platform.engine, platform.ctx)  # no outbox
    return TestClient(create_app(production), base_url="https://testserver")


def test_hsts_is_sent_in_production_only(platform, client):
    assert_secure_headers(client.get("/"), production=False)
    with _production_app(platform) as secure:
        for path in ("/", "/query", "/docs", "/healthz", "/openapi.json", "/static/web/site.css"):
            response = secure.get(path)
            assert_secure_headers(response, production=True)
            assert response.headers["strict-transport-security"].startswith("max-age=63072000")


def test_production_serves_no_development_outbox(platform):
    with _production_app(platform) as secure:
        assert secure.get("/dev/outbox").status_code == 404
        assert "/dev/outbox" not in secure.get("/").text


def test_the_page_audit_lets_a_json_data_block_through_and_nothing_that_runs() -> None:
    assert audit('<script type="application/json" id="d">{"a": 1}</script>') == []
    assert audit("<script>alert(1)</script>") != []
    assert audit('<script type="text/javascript">alert(1)</script>') != []
    assert audit('<script type="module">alert(1)</script>') != []
