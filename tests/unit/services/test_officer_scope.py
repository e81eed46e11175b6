"""The scope rule of officers (services.principals): which authorities a division covers, and
which actions a role may take."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import Forbidden, NotFound
from opcert.services.kernel.principals import ROLES, Action, OfficerPrincipal

provinces = st.integers(11, 65).map(str)
cities = st.integers(1, 99).map(lambda n: f"{n:02d}")
province_divisions = provinces.map(lambda p: p + "0000")
city_divisions = st.tuples(provinces, cities).map(lambda pc: pc[0] + pc[1] + "00")
authority_divisions = st.one_of(province_divisions, city_divisions)


def officer(region: str, role: str = "approver") -> OfficerPrincipal:
    return OfficerPrincipal(1, "u", region, role)


@given(authority_divisions)
def test_a_national_officer_covers_every_authority(division):
    assert officer("000000").covers_authority(f"CN-{division}")


@given(province_divisions, authority_divisions)
def test_a_province_officer_covers_exactly_the_authorities_of_the_province(province, division):
    assert officer(province).covers_authority(f"CN-{division}") is (division[:2] == province[:2])


@given(city_divisions, authority_divisions)
def test_a_city_officer_covers_only_the_city_bureau(city, division):
    assert officer(city).covers_authority(f"CN-{division}") is (division == city)


@given(city_divisions)
def test_a_city_officer_covers_neither_its_province_nor_the_nation(city):
    assert not officer(city).covers_authority(f"CN-{city[:2]}0000")
    assert not officer(city).covers(None)


@given(city_divisions, authority_divisions)
def test_what_a_city_officer_covers_its_province_and_the_nation_cover_too(city, division):
    code = f"CN-{division}"
    if officer(city).covers_authority(code):
        assert officer(city[:2] + "0000").covers_authority(code)
        assert officer("000000").covers_authority(code)


def test_outside_the_scope_the_error_is_the_one_an_unknown_object_gets():
    unknown = NotFound("REVIEW_UNKNOWN", "没有这个审核申请", "no such review request")
    with pytest.raises(NotFound) as raised:
        officer("440400").require_scope("CN-440100", unknown)
    assert raised.value is unknown
    officer("440000").require_scope("CN-440100", unknown)


@pytest.mark.parametrize("role", ROLES)
def test_only_approvers_and_admins_decide_and_revoke(role):
    deciders = {"approver", "admin"}
    for action in (
        Action.DECIDE_APPLICATIONS,
        Action.REVOKE_CERTIFICATES,
        Action.DECIDE_IDENTITY_REVIEWS,
    ):
        assert officer("440400", role).may(action) is (role in deciders)
        if role not in deciders:
            with pytest.raises(Forbidden):
                officer("440400", role).require(action)


def test_an_unknown_role_may_do_nothing():
    assert not any(officer("000000", "auditor").may(action) for action in Action)


# --- sharing ---
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_data_sharing_and_only_admins_manage_subscribers(role):
    assert officer("440000", role).may(Action.READ_SHARING)
    assert officer("440000", role).may(Action.MANAGE_SUBSCRIBERS) is (role == "admin")


def test_a_subscriber_is_seen_when_every_region_of_its_grant_is_in_the_division():
    from opcert.services.sharing import officers

    province, nation = officer("440000", "admin"), officer("000000", "admin")
    assert officers.within(province, ["440400", "440000"])
    assert not officers.within(province, ["440400", "500000"])
    assert not officers.within(province, ["000000"]) and officers.within(nation, ["000000"])
    assert not officers.within(province, [])
    assert not officers.within(officer("440400"), ["440000"])


@pytest.mark.parametrize(
    ("region", "role", "manages"),
    [
        ("000000", "admin", True),
        ("440000", "admin", True),
        ("440400", "admin", False),  # a city reads only
        ("440402", "admin", False),
        ("440000", "approver", False),
    ],
)
def test_only_national_and_province_admins_manage_subscribers(region, role, manages):
    from opcert.services.sharing import officers

    assert officers.may_manage(officer(region, role)) is manages
    if not manages:
        with pytest.raises(Forbidden):
            officers.require_manager(officer(region, role))


def test_every_event_type_and_field_of_the_sharing_list_has_its_chinese_label():
    from opcert.services.sharing import labels
    from opcert.services.sharing.sharing_list import EVENT_TYPES, FIELDS

    assert set(labels.EVENTS) == set(EVENT_TYPES) and set(labels.FIELD_NAMES) == set(FIELDS)
    assert labels.event_label("cn.opcert.certificate.revoked") == ("撤销", "revoked")
    assert labels.lag_label(30)[0] == "不到 1 分钟" and labels.lag_label(3 * 3600 + 120)[0] == (
        "3 小时 2 分钟"
    )
