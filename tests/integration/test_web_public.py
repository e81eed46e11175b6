"""Public pages: the certificate query with captcha, rate limit, result, not-found and reports."""

from __future__ import annotations

from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result
from tests.integration.web_pages import csrf, post_form, query


def issued(ctx, world, **overrides) -> dict:
    row = make_result(**overrides)
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    return row


def test_the_home_page_links_to_every_public_service(client):
    page = client.get("/")
    assert page.status_code == 200
    for href in ("/query", "/verify", "/institutions", "/holder/login"):
        assert f'href="{href}"' in page.text


def test_the_query_form_labels_are_exactly_id_number_and_name(client):
    page = client.get("/query").text
    assert '<label for="f-id_number">证件号码</label>' in page
    assert '<label for="f-name">姓名</label>' in page


def test_a_query_finds_a_certificate_and_shows_every_field_with_a_status_badge(client, ctx, world):
    row = issued(ctx, world, name="李四")
    page = query(client, row["id_number"], "李四")
    assert page.status_code == 200
    assert (
        'class="state state-good" data-testid="certificate-status" data-status="valid"' in page.text
    )
    assert 'data-icon="✓">有效</span>' in page.text
    for label in (
        "证号",
        "作业类别",
        "操作项目",
        "初次领证日期",
        "有效期",
        "应复审日期",
        "发证机关",
    ):
        assert f"<dt>{label}</dt>" in page.text
    assert "T" + row["id_number"] in page.text


def test_an_unknown_certificate_says_it_is_not_genuine_and_offers_a_report(client, world):
    page = query(client, "11010519491231002X", "张三")
    assert page.status_code == 404
    assert 'data-testid="not-found"' in page.text
    assert "不是真实有效的证书" in page.text
    assert "举报疑似假证" in page.text


def test_a_wrong_captcha_is_named_on_the_form(client, world):
    page = query(client, "11010519491231002X", "张三", captcha="999")
    assert page.status_code == 422
    assert 'id="e-captcha"' in page.text


def test_a_bad_id_number_is_named_on_the_form(client, world):
    page = query(client, "12345", "张三")
    assert page.status_code == 422
    assert 'id="e-id_number"' in page.text


def test_missing_fields_are_each_named(client, world):
    page = query(client, "", "")
    assert page.status_code == 422
    assert 'id="e-id_number"' in page.text and 'id="e-name"' in page.text


def test_a_post_without_the_csrf_token_is_refused(client):
    client.get("/query")
    response = client.post("/query", data={"id_number": "x", "name": "y"})
    assert response.status_code == 403


def test_the_query_is_rate_limited_per_address(client, platform, world):
    from opcert.services.abuse import default_policy

    platform.abuse.policy = default_policy(query_rate_per_minute=2)
    try:
        statuses = [query(client, "11010519491231002X", "张三").status_code for _ in range(3)]
    finally:
        platform.abuse.policy = default_policy(platform.settings.query_rate_per_minute)
    assert statuses == [404, 404, 429]


def test_a_fake_certificate_report_files_a_clue_that_officers_see(client, platform, world):
    page = client.get("/query").text
    response = client.post(
        "/report",
        data={
            "csrf_token": csrf(page),
            "id_number": "440402199005170000",
            "details": "工地上有人出示",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    from opcert.services.verification import clues

    [clue] = clues.clues_for(platform.ctx, world.guangdong_officer)
    assert clue.details == "工地上有人出示"


def test_a_report_without_details_is_re_rendered_with_the_field_named(client):
    response = post_form(client, "/query", "/report", {"details": ""})
    assert response.status_code == 422
    assert 'id="e-details"' in response.text
