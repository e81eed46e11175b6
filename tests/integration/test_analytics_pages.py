"""The analytics API and pages (issue 16, decision 0026): who may read the signals, what each
officer's division lets them see, bad filters named, and the figures behind the charts."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from opcert.domain.clock import SHANGHAI
from opcert.persistence.models import AnalyticsRun, AnalyticsSignal
from opcert.services.intake.pipeline import submit_results
from opcert.services.registry import parties as registry
from tests.integration.builders import id_number, make_result
from tests.integration.test_web_staff import officer_login

# unit_type, unit, kind, period, q
SIGNALS = [
    ("exam_point", "EP-440400-01", "score_heaping", "2026-10", 0.001),
    ("exam_point", "EP-500000-01", "pass_rate", "2026-10", 0.02),
    ("city", "440400", "volume_spike", "2026-10", 0.03),
    ("institution", "EXAM-CQ", "pass_rate", "2026-10", 0.04),
    ("province", "440000", "pass_rate_year_on_year", "2026-09", 0.05),
]
NATIONAL = "nat"


def _record_run(ctx, signals=SIGNALS, span=(date(2025, 11, 1), date(2026, 11, 20))) -> int:  # type: ignore[no-untyped-def]
    at = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
    with ctx.uow() as uow:
        run = AnalyticsRun(
            date_from=span[0],
            date_to=span[1],
            fdr=0.1,
            tests=1000,
            untested={},
            provisional=["2026-11", "2026"],
            started_at=at,
            finished_at=at,
        )
        uow.analytics.add(run)
        uow.flush()
        uow.analytics.add_signals(
            [
                AnalyticsSignal(
                    run_id=run.id,
                    unit_type=unit_type,
                    unit=unit,
                    kind=kind,
                    period=period,
                    statistic=4.0,
                    p_value=q / 100,
                    q_value=q,
                    effect=1.6,
                    observed=41.0,
                    reference=6.0,
                    provisional=False,
                    explanation_zh=f"{unit} {period} 中文说明",
                    explanation_en=f"{unit} {period} in English",
                )
                for unit_type, unit, kind, period, q in signals
            ]
        )
        uow.commit()
        return run.id


@pytest.fixture
def run_id(ctx, world):  # type: ignore[no-untyped-def]
    for username, region, role in [(NATIONAL, "000000", "analyst")]:
        registry.add_officer(
            ctx, username=username, region=region, role=role, password=world.password
        )
    return _record_run(ctx)


def _token(client, world, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answer = client.post(
        "/api/v1/auth/token", data={"username": username, "password": world.password}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _signals(client, world, username: str, **params):  # type: ignore[no-untyped-def]
    return client.get(
        "/api/v1/analytics/signals", params=params, headers=_token(client, world, username)
    )


def _units(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [s["unit"] for s in answer.json()["signals"]]


# --- the attacker's tests first ---


def test_an_inspector_may_not_read_the_analysis_on_the_api_or_the_page(client, world, run_id):  # type: ignore[no-untyped-def]
    answer = _signals(client, world, "insp")
    assert answer.status_code == 403
    assert answer.json()["code"] == "ROLE_FORBIDDEN"
    officer_login(client, world, "insp")
    page = client.get("/officer/analytics")
    assert page.status_code == 403 and "无权查看考试数据分析" in page.text
    assert client.get("/officer/analytics/units/exam_point/EP-440400-01").status_code == 403
    assert 'href="/officer/analytics"' not in client.get("/officer/queue").text


def test_no_token_or_a_forged_one_is_refused(client, world, run_id):  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/analytics/signals").status_code == 401
    forged = {"Authorization": "Bearer " + "A" * 43}
    assert client.get("/api/v1/analytics/signals", headers=forged).status_code == 401


def test_a_city_officer_sees_only_the_city_s_units(client, world, run_id):  # type: ignore[no-untyped-def]
    answer = _signals(client, world, "zh")
    assert answer.status_code == 200
    assert _units(answer) == ["EP-440400-01", "440400"]
    assert answer.json()["total"] == 2


def test_a_province_officer_sees_the_province_and_its_cities_but_not_another_province(
    client, world, run_id
) -> None:  # type: ignore[no-untyped-def]
    assert _units(_signals(client, world, "gd")) == ["EP-440400-01", "440400", "440000"]
    # asking for another province's units gives nothing, not an error that confirms them
    other = _signals(client, world, "gd", province="50")
    assert other.status_code == 200 and other.json()["signals"] == []


def test_another_province_s_unit_page_is_the_same_not_found_as_an_unknown_unit(
    client, world, run_id
) -> None:  # type: ignore[no-untyped-def]
    officer_login(client, world, "cq")
    theirs = client.get("/officer/analytics/units/exam_point/EP-440400-01")
    unknown = client.get("/officer/analytics/units/exam_point/EP-999999-99")
    assert theirs.status_code == unknown.status_code == 404
    assert "香洲考试点" not in theirs.text
    assert client.get("/officer/analytics/units/province/440000").status_code == 404
    assert client.get("/officer/analytics/units/exam_point/EP-500000-01").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/officer/analytics/units/nonsense/EP-440400-01",
        "/officer/analytics/units/exam_point/" + "X" * 41,
        "/officer/analytics/units/exam_point/%27%20OR%201%3D1--",
        "/officer/analytics/units/province/44",
        "/officer/analytics/units/city/abcdef",
    ],
    ids=["level", "overlong", "sql", "short-division", "letters"],
)
def test_forged_unit_paths_are_refused_without_an_error_page_of_the_server(
    client, world, run_id, path
) -> None:  # type: ignore[no-untyped-def]
    officer_login(client, world, "gd")
    answer = client.get(path)
    assert answer.status_code in (404, 422), (path, answer.status_code)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "nope"}, "kind"),
        ({"unit_type": "planet"}, "unit_type"),
        ({"period": "2026-13"}, "period"),
        ({"period": "x" * 10_000}, "period"),
        ({"q_max": "abc"}, "q_max"),
        ({"q_max": "nan"}, "q_max"),
        ({"limit": "100000"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"run": "99999999999"}, "run"),
        ({"province": "' OR 1=1"}, "province"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(client, world, run_id, params, field) -> None:  # type: ignore[no-untyped-def]
    answer = _signals(client, world, NATIONAL, **params)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_two_bad_filters_are_both_named(client, world, run_id) -> None:  # type: ignore[no-untyped-def]
    answer = _signals(client, world, NATIONAL, kind="nope", q_max="2")
    assert answer.status_code == 422
    assert sorted(e["field"] for e in answer.json()["errors"]) == ["kind", "q_max"]


def test_an_unknown_run_is_not_found(client, world, run_id) -> None:  # type: ignore[no-untyped-def]
    assert _signals(client, world, NATIONAL, run=str(run_id + 1000)).status_code == 404


def test_a_bad_filter_on_the_page_is_shown_beside_its_field(client, world, run_id) -> None:  # type: ignore[no-untyped-def]
    officer_login(client, world, NATIONAL)
    page = client.get("/officer/analytics", params={"period": "2026-13"})
    assert page.status_code == 422
    assert 'id="e-period"' in page.text and "期间应为 YYYY-MM 或 YYYY" in page.text


# --- what the officers see ---


def test_the_national_analyst_gets_every_signal_strongest_first_with_the_spec_fields(
    client, world, run_id
) -> None:  # type: ignore[no-untyped-def]
    body = _signals(client, world, NATIONAL).json()
    assert [s["q_value"] for s in body["signals"]] == sorted(s[4] for s in SIGNALS)
    first = body["signals"][0]
    spec = {"unit_type", "unit", "kind", "period", "statistic", "p_value", "q_value", "effect"}
    assert spec | {
        "explanation",
        "id",
        "provisional",
        "observed",
        "reference",
        "explanation_en",
    } <= set(first)
    assert first["unit_name"] == "香洲考试点"
    assert first["explanation"] == "EP-440400-01 2026-10 中文说明"
    assert body["run"]["id"] == run_id and body["run"]["provisional"] == ["2026-11", "2026"]


def test_the_filters_narrow_the_list_and_pages_follow_each_other(client, world, run_id) -> None:  # type: ignore[no-untyped-def]
    assert _units(_signals(client, world, NATIONAL, kind="pass_rate")) == [
        "EP-500000-01",
        "EXAM-CQ",
    ]
    assert _units(_signals(client, world, NATIONAL, unit_type="city")) == ["440400"]
    assert _units(_signals(client, world, NATIONAL, period="2026-09")) == ["440000"]
    assert _units(_signals(client, world, NATIONAL, q_max="0.02")) == [
        "EP-440400-01",
        "EP-500000-01",
    ]
    assert _units(_signals(client, world, NATIONAL, province="500000")) == [
        "EP-500000-01",
        "EXAM-CQ",
    ]
    first = _units(_signals(client, world, NATIONAL, limit="2"))
    second = _units(_signals(client, world, NATIONAL, limit="2", offset="2"))
    assert len(first) == len(second) == 2 and not set(first) & set(second)


def test_the_latest_run_is_read_unless_another_is_named(client, world, run_id, ctx) -> None:  # type: ignore[no-untyped-def]
    newer = _record_run(
        ctx,
        [("exam_point", "EP-440400-02", "off_day_exams", "2026-11", 0.01)],
        span=(date(2026, 1, 1), date(2026, 11, 20)),
    )
    assert _units(_signals(client, world, NATIONAL)) == ["EP-440400-02"]
    older = _signals(client, world, NATIONAL, run=str(run_id)).json()
    assert older["run"]["id"] == run_id and len(older["signals"]) == len(SIGNALS)
    assert newer != run_id


def test_before_any_run_the_api_says_so_and_the_page_tells_how_to_run_one(
    client, world, ctx
) -> None:  # type: ignore[no-untyped-def]
    registry.add_officer(
        ctx, username=NATIONAL, region="000000", role="analyst", password=world.password
    )
    body = _signals(client, world, NATIONAL).json()
    assert body["run"] is None and body["signals"] == [] and body["total"] == 0
    officer_login(client, world, NATIONAL)
    page = client.get("/officer/analytics")
    assert page.status_code == 200 and "opcert analytics run" in page.text


def test_the_page_lists_the_signals_in_chinese_and_links_to_the_letters(
    client, world, run_id
) -> None:  # type: ignore[no-untyped-def]
    officer_login(client, world, "gd")
    page = client.get("/officer/analytics")
    assert page.status_code == 200
    assert page.text.count('data-testid="signal-row"') == 3
    assert "理论成绩集中在及格线上方" in page.text and "EP-440400-01 2026-10 中文说明" in page.text
    assert 'href="/officer/analytics/letters"' in page.text and "生成提醒函" in page.text
    assert 'href="/officer/analytics"' in page.text  # the officer navigation links here
    assert "EP-500000-01" not in page.text
    english = client.get("/officer/analytics", params={"lang": "en"}).text
    assert "in English" in english and "Exam-data analysis" in english


def _theory(score: float, **overrides):  # type: ignore[no-untyped-def]
    return make_result(theory_score=score, exam_date="2026-10-20", **overrides)


def test_a_unit_s_page_shows_its_months_and_its_scores_against_its_peers(
    client, world, run_id, ctx
) -> None:  # type: ignore[no-untyped-def]
    mine = [_theory(s) for s in (81, 81, 81, 90)]
    others = [
        _theory(s, exam_point="EP-440400-02", id_number=id_number(division="440404"))
        for s in (81, 85, 85, 70)
    ]
    submit_results(ctx, world.zhuhai, mine + others)
    with ctx.reader() as uow:
        unit, peers = uow.analytics_views.theory_scores(
            "exam_point", "EP-440400-01", date(2026, 10, 1), date(2026, 10, 31)
        )
        months = uow.analytics_views.unit_months(
            "city", "440400", date(2025, 11, 1), date(2026, 11, 20)
        )
    assert unit == {81: 3, 90: 1, 85: 0, 70: 0}
    assert peers == {81: 1, 85: 2, 70: 1, 90: 0}
    assert [(m.month, m.sat, m.passed) for m in months] == [("2026-10", 8, 7)]
    officer_login(client, world, "zh")
    page = client.get("/officer/analytics/units/exam_point/EP-440400-01")
    assert page.status_code == 200
    assert "香洲考试点" in page.text and "EP-440400-01 2026-10 中文说明" in page.text
    assert '<th scope="row">81</th><td>3</td><td>75.0%</td><td>25.0%</td>' in page.text
    assert '<th scope="row">2026-10</th><td>4</td><td>4</td><td>100.0%</td><td>有</td>' in page.text
    assert '<script type="module" src="/static/web/analytics.js">' in page.text
    bad = client.get(
        "/officer/analytics/units/exam_point/EP-440400-01", params={"period": "10/2026"}
    )
    assert bad.status_code == 422 and 'id="e-period"' in bad.text


# --- on a small world of results and a real run ---


def test_after_a_real_run_the_too_good_exam_point_leads_and_the_funnel_shows_own_units_only(
    client, world, ctx
) -> None:  # type: ignore[no-untyped-def]
    import json
    import re

    from opcert.services.analytics import charts
    from opcert.services.analytics.signals import UnitType
    from opcert.services.kernel.principals import OfficerPrincipal
    from tests.integration import analytics_world

    built = analytics_world.build(ctx)
    month = built.months[-1]
    nation = OfficerPrincipal(0, "n", "000000", "analyst")
    zhejiang = OfficerPrincipal(0, "z", "330000", "analyst")
    everything = charts.funnel(ctx, nation, UnitType.EXAM_POINT, month)
    own = charts.funnel(ctx, zhejiang, UnitType.EXAM_POINT, month)
    assert everything.funnel is not None and len(everything.points) == 16
    assert sorted(p.unit for p in own.points) == [
        "EP-330100-01",
        "EP-330200-01",
        "EP-330300-01",
        "EP-330400-01",
    ]
    assert own.funnel is not None and own.funnel.limits == everything.funnel.limits
    assert analytics_world.ANOMALOUS in own.flagged

    registry.add_officer(
        ctx, username="zj", region="330000", role="analyst", password=world.password
    )
    answer = _signals(client, world, "zj", unit_type="exam_point")
    assert answer.json()["signals"][0]["unit"] == analytics_world.ANOMALOUS
    assert {s["unit"] for s in _signals(client, world, "zj").json()["signals"]} <= {
        "330000",
        "330200",
        "EXAM-ZJ",
        analytics_world.ANOMALOUS,
    }
    officer_login(client, world, "zj")
    page = client.get("/officer/analytics")
    assert page.status_code == 200 and 'data-testid="funnel"' in page.text
    data = json.loads(re.search(r'id="funnel-data">(.*?)</script>', page.text).group(1))  # type: ignore[union-attr]
    assert sorted(p[2] for p in data["points"]) == sorted(
        ["西湖考试点", "海曙考试点", "鹿城考试点", "南湖考试点"]
    )
    assert [p[3] for p in data["points"] if p[2] == "海曙考试点"] == [True]
    unit_page = client.get(f"/officer/analytics/units/exam_point/{analytics_world.ANOMALOUS}")
    assert unit_page.status_code == 200
    assert (
        f'<th scope="row">{month}</th><td>72</td><td>72</td><td>100.0%</td><td>有</td>'
        in unit_page.text
    )
