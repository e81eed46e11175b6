from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from opcert.credential.claims import (
    CertificateClaims,
    CredentialPayload,
    exp_for,
    parse_date,
    start_of_day,
)
from opcert.credential.errors import MalformedCredential

from .builders import make_certificate, make_payload


def test_exp_is_midnight_in_shanghai_of_the_day_after_vto() -> None:
    expected = datetime(2032, 11, 21, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    assert exp_for(date(2032, 11, 20)) == expected


def test_the_fixed_utc_plus_8_offset_agrees_with_the_tz_database_for_every_day_since_1992() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    day = date(1992, 1, 1)
    while day < date(2100, 1, 1):
        assert (
            start_of_day(day) == datetime(day.year, day.month, day.day, tzinfo=shanghai).timestamp()
        )
        day += timedelta(days=97)


@pytest.mark.parametrize(
    "text", ["20261120", "2026-11-2", "2026-02-30", "2026/11/20", "２０２６-11-20"]
)
def test_only_yyyy_mm_dd_dates_parse(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_the_certificate_map_leaves_out_absent_optional_claims() -> None:
    sm = make_certificate(typ="SM", cat=None, itm=None, rvd=None, itn="主要负责人（煤矿）")
    m = sm.to_cbor_map()
    assert not {"cat", "itm", "rvd"} & set(m)
    assert m["st"] == ["CN-440400-0001", 12345]
    assert list(m)[:2] == ["v", "typ"]


def test_a_certificate_round_trips_through_its_cbor_map() -> None:
    certificate = make_certificate()
    assert CertificateClaims.from_cbor_map(certificate.to_cbor_map()) == certificate


def test_unknown_certificate_keys_are_kept_and_written_back() -> None:
    m = make_certificate().to_cbor_map() | {"pho": b"\x01\x02", 7: "not text"}
    certificate = CertificateClaims.from_cbor_map(m)
    assert certificate.extra == {"pho": b"\x01\x02"}
    assert certificate.to_cbor_map()["pho"] == b"\x01\x02"
    assert certificate.to_json()["pho"] == "AQI"


def test_json_for_display_has_the_same_keys_as_the_cbor_map() -> None:
    certificate = make_certificate()
    assert certificate.to_json() == {**certificate.to_cbor_map(), "st": ["CN-440400-0001", 12345]}


@pytest.mark.parametrize(
    ("change", "claim"),
    [
        ({"nam": None}, "nam"),
        ({"sex": "1"}, "sex"),
        ({"sex": True}, "sex"),
        ({"sex": -1}, "sex"),
        ({"vfr": "2026-13-01"}, "vfr"),
        ({"rvd": 20291120}, "rvd"),
        ({"st": ["CN-440400-0001"]}, "st"),
        ({"st": ["CN-440400-0001", -1]}, "st"),
        ({"v": 2}, "v"),
        ({"cat": None}, "cat"),
    ],
)
def test_a_missing_or_mistyped_claim_is_malformed_at_the_claims_layer(
    change: dict[str, object], claim: str
) -> None:
    m = make_certificate().to_cbor_map()
    for key, value in change.items():
        if value is None:
            del m[key]
        else:
            m[key] = value
    with pytest.raises(MalformedCredential) as raised:
        CertificateClaims.from_cbor_map(m)
    assert raised.value.layer == "claims"
    assert claim in raised.value.message_en


def test_an_sm_certificate_needs_no_category_or_item() -> None:
    m = make_certificate(typ="SM", cat=None, itm=None).to_cbor_map()
    assert CertificateClaims.from_cbor_map(m).cat is None


def test_the_cwt_uses_the_registered_integer_keys() -> None:
    payload = make_payload()
    m = payload.to_cbor_map()
    assert list(m) == [1, 6, 4, 7, -65537]
    assert CredentialPayload.from_cbor_map(m) == payload


@pytest.mark.parametrize(
    ("key", "value"),
    [(1, b"CN-440400"), (6, -1), (4, "never"), (7, bytes(15)), (-65537, [1])],
)
def test_a_cwt_without_the_sc1_shape_is_malformed(key: int, value: object) -> None:
    m = make_payload().to_cbor_map() | {key: value}
    with pytest.raises(MalformedCredential) as raised:
        CredentialPayload.from_cbor_map(m)
    assert raised.value.layer == "claims"
