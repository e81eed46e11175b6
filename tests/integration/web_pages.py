"""Helpers for the web page tests: read the CSRF token and the captcha from a rendered form."""

from __future__ import annotations

import re


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def solved_captcha(html: str) -> dict[str, str]:
    question = re.search(r'data-testid="captcha-question">(\d+) \+ (\d+)<', html)
    token = re.search(r'name="captcha_token" value="([^"]+)"', html)
    assert question and token
    return {"captcha": str(int(question[1]) + int(question[2])), "captcha_token": token.group(1)}


def query(client, id_number: str, name: str, **overrides: str):  # type: ignore[no-untyped-def]
    page = client.get("/query").text
    data = {"csrf_token": csrf(page), "id_number": id_number, "name": name, **solved_captcha(page)}
    data.update(overrides)
    return client.post("/query", data=data)


def post_form(client, page_url: str, action: str, data: dict, files=None):  # type: ignore[no-untyped-def]
    token = csrf(client.get(page_url).text)
    return client.post(
        action, data={"csrf_token": token, **data}, files=files, follow_redirects=False
    )
