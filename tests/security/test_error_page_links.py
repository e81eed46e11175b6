"""The ways back of an error page come from the Referer, which anyone can forge: only a path on
this site is ever offered (no other host, no protocol-relative ``//host``, no ``javascript:``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st
from starlette.requests import Request

from opcert.interfaces.web.error_pages import local_url


def request() -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "https",
            "server": ("cert.example", 443),
            "path": "/here",
            "query_string": b"",
            "headers": [(b"host", b"cert.example")],
        }
    )


PIECES = [
    "/",
    "//",
    "\\",
    "http:",
    "https:",
    "javascript:",
    "evil.example",
    "cert.example",
    "@",
    "?",
    "#",
    ":",
    "%2f",
    "\t",
    "\n",
    " ",
    "a",
    "..",
    "%00",
]


@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join) | st.text(max_size=60))
@example("?\\")  # a backslash in the query (found by hypothesis in CI)
def test_whatever_the_referer_the_way_back_is_a_path_on_this_site(referer):
    shown = local_url(referer, request())
    if shown is not None:
        assert shown.startswith("/") and not shown.startswith("//") and "\\" not in shown
        parts = urlsplit(shown)
        assert parts.scheme == "" and parts.netloc == ""


def test_a_referer_on_this_site_is_kept_with_its_query():
    assert local_url("https://cert.example/query?x=1", request()) == "/query?x=1"


def test_a_referer_of_another_host_or_scheme_is_dropped():
    for referer in (
        "https://evil.example/query",
        "https://cert.example.evil.example/",
        "https://cert.example@evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "data:text/html,x",
    ):
        assert local_url(referer, request()) is None, referer
