"""Helpers for the web page tests: read the CSRF token and solve the captcha of a rendered form."""

from __future__ import annotations

import re


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def captcha_token(html: str) -> str:
    token = re.search(r'name="captcha_token" value="([^"]+)"', html)
    assert token, "no captcha on the page"
    return token.group(1)


def solved_captcha(client, html: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The captcha of ``html`` solved the way only a holder of the captcha key can: the page
    itself carries no answer (tests know the key; the app never shows the answer)."""
    token = captcha_token(html)
    answer = client.app.state.web.captcha.solution(token)
    assert answer is not None
    return {"captcha": answer, "captcha_token": token}


def query(client, id_number: str, name: str, **overrides: str):  # type: ignore[no-untyped-def]
    page = client.get("/query").text
    data = {
        "csrf_token": csrf(page),
        "id_number": id_number,
        "name": name,
        **solved_captcha(client, page),
    }
    data.update(overrides)
    return client.post("/query", data=data)


def post_form(client, page_url: str, action: str, data: dict, files=None):  # type: ignore[no-untyped-def]
    token = csrf(client.get(page_url).text)
    return client.post(
        action, data={"csrf_token": token, **data}, files=files, follow_redirects=False
    )
