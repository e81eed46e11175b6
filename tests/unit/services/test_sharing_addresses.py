"""Where the platform may send a webhook (SSRF, issue 17): link-local and cloud-metadata
addresses never, unspecified, multicast and reserved ones never, loopback and private ones only
where the operator allows them; an IPv4 address written as IPv6 is judged as itself."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import FieldError
from opcert.services.sharing.addresses import check_url, refused_reason

addresses = st.ip_addresses()


def _as_v4(address):  # type: ignore[no-untyped-def]
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


@given(addresses, st.booleans())
def test_an_address_is_refused_exactly_when_it_is_one_the_platform_never_reaches(address, allow):
    reason = refused_reason(address, allow_private=allow)
    plain = _as_v4(address)
    unroutable = plain.is_unspecified or plain.is_multicast or plain.is_reserved
    never = plain.is_link_local or (unroutable and not plain.is_loopback)
    private = plain.is_loopback or plain.is_private
    if never:
        assert reason is not None
    elif private and not allow:
        assert reason == "loopback or private"
    if reason is None:
        assert not never and (allow or not private)


@given(addresses)
def test_allowing_private_addresses_never_lets_a_link_local_or_metadata_one_through(address):
    strict = refused_reason(address, allow_private=False)
    lenient = refused_reason(address, allow_private=True)
    assert strict is not None or lenient is None  # allowing only ever lets more through
    if lenient is not None:
        assert strict is not None


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_written_as_ipv6_is_judged_as_itself(address):
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    for allow in (False, True):
        assert refused_reason(mapped, allow_private=allow) == refused_reason(
            address, allow_private=allow
        )


@pytest.mark.parametrize(
    "text",
    [
        "169.254.169.254",
        "fe80::1",
        "::ffff:169.254.169.254",
        "100.100.100.200",
        "fd00:ec2::254",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
    ],
)
def test_metadata_link_local_and_unroutable_addresses_are_refused_even_when_private_is_allowed(
    text,
):
    assert refused_reason(ipaddress.ip_address(text), allow_private=True) is not None


@pytest.mark.parametrize("text", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "::1", "fd12::1"])
def test_loopback_and_private_addresses_only_where_allowed(text):
    address = ipaddress.ip_address(text)
    assert refused_reason(address, allow_private=True) is None
    assert refused_reason(address, allow_private=False) == "loopback or private"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/hooks", "URL_SCHEME"),
        ("example.com/hooks", "URL_SCHEME"),
        ("http:///hooks", "URL_SCHEME"),
        ("https://user:secret@1.1.1.1/hooks", "URL_CREDENTIALS"),
        ("http://169.254.169.254/latest/meta-data/", "URL_NOT_ALLOWED"),
        ("http://[fe80::1]/hooks", "URL_NOT_ALLOWED"),
        ("http://metadata.google.internal/computeMetadata/v1/", "URL_NOT_ALLOWED"),
        ("http://METADATA.google.internal./", "URL_NOT_ALLOWED"),
        ("http://1.1.1.1:99999/hooks", "URL_PORT"),
        ("http://10.0.0.5/hooks", "URL_NOT_ALLOWED"),
    ],
)
def test_a_refused_url_is_a_field_error_on_url_saying_why(url, code):
    with pytest.raises(FieldError) as refused:
        check_url(url, allow_private=False, resolve=False)
    assert (refused.value.field, refused.value.code) == ("url", code)
    assert refused.value.message_zh and refused.value.message_en


def test_a_public_address_is_accepted_as_written():
    assert check_url(" https://1.1.1.1:8443/hooks ", allow_private=False, resolve=False) == (
        "https://1.1.1.1:8443/hooks"
    )
    assert check_url("http://[::1]:8080/hooks", allow_private=True, resolve=False)


@given(st.text(max_size=40))
def test_any_text_is_accepted_or_refused_on_url_never_anything_else(text):
    try:
        check_url(text, allow_private=False, resolve=False)
    except FieldError as error:
        refused = error
    else:
        refused = None
    assert refused is None or refused.field == "url"
