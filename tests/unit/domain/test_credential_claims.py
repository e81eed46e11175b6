"""The domain's judgement of a credential's certificate claims (published vectors, benchmarks)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcert.domain.certificates import certificate_dates, exp_instant
from opcert.domain.credential_claims import claim_errors
from opcert.domain.periods import add_years
from opcert.domain.rules import ORDER30, rule_set_for
from tests.unit.domain.builders import make_id_number

MAN = make_id_number("440402", date(1990, 3, 7), 123)
WOMAN = make_id_number("440402", date(1992, 8, 15), 242)


def issued(on: date = date(2026, 11, 20), **changes: Any) -> dict[str, object]:
    """An SO certificate's claims as the platform issues it on `on`, with `changes` (None drops
    a claim)."""
    rules = rule_set_for(on)
    dates = certificate_dates(rules, on)
    claims: dict[str, object] = {
        "v": 1,
        "typ": "SO",
        "no": "T" + MAN,
        "nam": "张三",
        "sex": 1,
        "cat": "1",
        "itm": "1.2",
        "itn": "低压电工作业",
        "fst": on.isoformat(),
        "vfr": dates.valid_from.isoformat(),
        "vto": dates.valid_to.isoformat(),
        "aut": "珠海市应急管理局",
        "rs": rules.id.value,
        "st": ["CN-440400-0001", 7],
    }
    if dates.review_due is not None:
        claims["rvd"] = dates.review_due.isoformat()
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def safety_manager(**changes: Any) -> dict[str, object]:
    claims = issued(
        typ="SM",
        no="A" + WOMAN,
        sex=2,
        cat=None,
        itm=None,
        itn="主要负责人（危险化学品生产单位）",
        vto="2029-11-20",
    )
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def codes(claims: dict[str, object], **options: Any) -> set[tuple[str, str]]:
    return {(error.field, error.code) for error in claim_errors(claims, **options)}


def test_a_certificate_issued_under_mem19_without_a_review_date_keeps_the_rules() -> None:
    assert claim_errors(issued(), exp=int(exp_instant(date(2032, 11, 20)).timestamp())) == []


def test_a_safety_manager_certificate_of_three_years_keeps_the_rules() -> None:
    assert claim_errors(safety_manager()) == []


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(on=st.dates(min_value=date(2010, 7, 1), max_value=date(2045, 12, 31)))
def test_every_certificate_issued_as_the_platform_issues_it_keeps_the_rules(on: date) -> None:
    assert claim_errors(issued(on)) == []


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (issued(no="T" + MAN[:17] + ("1" if MAN[17] != "1" else "2")), ("no", "ID_CHECKSUM")),
        (issued(no="A" + MAN), ("no", "CLAIM_NUMBER")),
        (issued(no="T" + MAN + "0"), ("no", "ID_FORMAT")),
        (issued(sex=2), ("sex", "CLAIM_SEX")),
        (issued(rvd="2029-11-20"), ("rvd", "CLAIM_REVIEW_NOT_IN_RULES")),
        (issued(date(2021, 2, 28), rs="MEM19"), ("rs", "CLAIM_RULE_SET_DATE")),
        (issued(date(2026, 5, 31), rvd=None, rs="MEM19"), ("rs", "CLAIM_RULE_SET_DATE")),
        (issued(rs="ORDER30"), ("rs", "CLAIM_RULE_SET_DATE")),
        (issued(rs="ORDER31"), ("rs", "CLAIM_RULE_SET")),
        (issued(vto="2032-11-21"), ("vto", "CLAIM_VALIDITY")),
        (issued(date(2021, 2, 28), rvd="2024-03-01"), ("rvd", "CLAIM_REVIEW_DATE")),
        (issued(fst="2026-11-21"), ("fst", "CLAIM_FIRST_ISSUE")),
        (issued(fst="2007-01-01"), ("fst", "CLAIM_UNDER_18")),
        (issued(itm="1.9"), ("itm", "CLAIM_ITEM")),
        (issued(itn="高压电工作业"), ("itm", "CLAIM_ITEM")),
        (issued(cat=None), ("cat", "CLAIM_MISSING")),
        (issued(vfr="2026-11-31"), ("vfr", "CLAIM_DATE")),
        (issued(vto="20321120"), ("vto", "CLAIM_DATE")),
        (issued(typ="SX"), ("typ", "CLAIM_TYPE")),
        (issued(no=None), ("no", "CLAIM_MISSING")),
        (safety_manager(rvd="2028-11-20"), ("rvd", "CLAIM_REVIEW_NOT_IN_RULES")),
        (safety_manager(vto="2032-11-20"), ("vto", "CLAIM_VALIDITY")),
        (safety_manager(no="T" + WOMAN), ("no", "CLAIM_NUMBER")),
        (safety_manager(cat="1"), ("cat", "CLAIM_NOT_FOR_SM")),
        (safety_manager(itn="生产经营单位主要负责人（危险化学品）"), ("itn", "CLAIM_ITEM")),
    ],
)
def test_a_claim_that_breaks_a_rule_is_named_with_why(
    claims: dict[str, object], expected: tuple[str, str]
) -> None:
    assert expected in codes(claims)


def test_an_exp_that_is_not_the_end_of_vto_is_named() -> None:
    end = int(exp_instant(date(2032, 11, 20)).timestamp())
    assert codes(issued(), exp=end - 1) == {("exp", "CLAIM_EXP")}


@pytest.mark.parametrize("years", [3, 6])
def test_an_order30_certificate_may_carry_a_review_date_every_three_or_after_six_years(
    years: int,
) -> None:
    start = date(2021, 2, 28)
    claims = issued(start, rvd=add_years(start, years).isoformat())
    assert claims["rs"] == ORDER30.id.value
    assert claim_errors(claims) == []


def test_an_order30_certificate_whose_review_was_made_carries_no_review_date() -> None:
    assert claim_errors(issued(date(2021, 2, 28), rvd=None)) == []


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    on=st.dates(min_value=date(2010, 7, 1), max_value=date(2045, 12, 31)),
    shift=st.integers(min_value=1, max_value=4000),
)
def test_a_validity_end_moved_by_any_number_of_days_is_caught(on: date, shift: int) -> None:
    claims = issued(on)
    vto = date.fromisoformat(str(claims["vto"]))
    moved = issued(on, vto=(vto + timedelta(days=shift)).isoformat())
    assert ("vto", "CLAIM_VALIDITY") in codes(moved)


claim_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.binary(max_size=8)
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            ["typ", "no", "sex", "cat", "itm", "itn", "fst", "vfr", "vto", "rvd", "rs"]
        ),
        claim_values,
    ),
    st.one_of(st.none(), st.integers()),
)
def test_no_map_of_claims_makes_the_check_raise(
    overrides: dict[str, object], exp: int | None
) -> None:
    claims = {**issued(), **overrides}
    errors = claim_errors(claims, exp=exp)
    assert all(error.field and error.message_zh and error.message_en for error in errors)
