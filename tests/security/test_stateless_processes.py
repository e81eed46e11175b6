"""Two app instances over one database hold no per-user state of their own: a holder's login
started on one is finished on the other, and an upload's error sheet made on one downloads from
the other (issue 15, item 5). Each instance is built by ``bootstrap.build`` from the same
settings, so each has its own memory; only the database is shared. The served pair over Redis
is ``test_two_instances.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from opcert.bootstrap import Platform, build
from tests.integration.builders import make_result
from tests.integration.web_pages import post_form
from tests.security.session_helpers import (
    add_institution_user,
    institution_web_login,
    issued_holder,
    new_client,
)
from tests.security.test_uploads import csv_of


@pytest.fixture
def other(platform: Platform) -> Iterator[Platform]:
    """A second instance: same settings and clock, its own memory."""
    second = build(platform.settings, clock=platform.ctx.clock)
    yield second
    second.close()


def _code(platform: Platform) -> str:
    assert platform.outbox is not None
    found = re.search(r"验证码 (\d{6})", platform.outbox.messages[0].text)
    assert found
    return found.group(1)


def test_a_login_challenge_made_on_one_instance_is_answered_on_the_other(platform, other, world):
    row = issued_holder(platform, world)
    with new_client(platform) as a, new_client(other) as b:
        sent = post_form(
            a, "/holder/login", "/holder/login", {"id_number": row["id_number"], "name": "李四"}
        )
        assert sent.headers["location"] == "/holder/code", sent.text
        _carry(a, b)
        assert other.outbox is not None and other.outbox.messages == []  # B sent nothing
        checked = post_form(b, "/holder/code", "/holder/code", {"code": _code(platform)})
        assert checked.headers["location"] == "/holder/face", checked.text
        face = post_form(b, "/holder/face", "/holder/face", {"evidence": "pass"})
        assert face.headers["location"] == "/holder/certificates", face.text
        _carry(b, a)
        mine = a.get("/holder/certificates", follow_redirects=False)
        assert mine.status_code == 200 and row["id_number"][-4:] in mine.text


def test_an_error_sheet_made_on_one_instance_downloads_from_the_other(platform, other, world):
    add_institution_user(platform)
    good, bad = make_result(), make_result(id_number="123")
    with new_client(platform) as a, new_client(other) as b:
        institution_web_login(a)
        files = {"file": ("r.csv", csv_of([good, bad]), "text/csv")}
        page = post_form(a, "/institution/upload", "/institution/upload", {}, files=files).text
        assert 'data-outcome="rejected"' in page
        link = page.split('href="/institution/error-sheets/')[1].split('"')[0]
        _carry(a, b)
        sheet = b.get(f"/institution/error-sheets/{link}")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
        # Still the institution's own: without its session, B does not hand it out.
        assert TestClient(b.app).get(f"/institution/error-sheets/{link}").status_code == 404


def _carry(source: TestClient, target: TestClient) -> None:
    """The browser's cookies, as a load balancer sends the next request elsewhere."""
    for name, value in source.cookies.items():
        target.cookies.set(name, value)
