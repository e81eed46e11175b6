"""The officer's 暂停自动发证 page (decision 0028): holds in the division, release with a reason,
the link from a held application's reason, and the refusals."""

from __future__ import annotations

from opcert.services.analytics import holds
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result
from tests.integration.test_exam_data_holds import _strong_signal
from tests.integration.test_web_staff import officer_login
from tests.integration.web_pages import post_form


def _held(ctx) -> int:  # type: ignore[no-untyped-def]
    [hold_id] = holds.apply_holds(ctx, _strong_signal(ctx), ["a signal"])
    return hold_id


def test_the_page_lists_the_hold_and_its_grounds_and_an_officer_releases_it(client, ctx, world):  # type: ignore[no-untyped-def]
    hold_id = _held(ctx)
    officer_login(client, world, "zh")
    page = client.get("/officer/holds")
    assert page.status_code == 200
    assert "香洲考试点" in page.text and "按往年同期应约 100 人次" in page.text
    assert "解除暂停" in page.text
    empty = post_form(
        client, "/officer/holds", f"/officer/holds/{hold_id}/release", {"reason": " "}
    )
    assert empty.status_code == 422 and "请填写解除暂停的理由" in empty.text
    assert 'aria-invalid="true"' in empty.text
    done = post_form(
        client, "/officer/holds", f"/officer/holds/{hold_id}/release", {"reason": "已核查，属实"}
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert "已解除暂停" in after and "辖区内没有暂停自动发证" in after
    released = client.get("/officer/holds?released=1").text
    assert "已核查，属实" in released and "（zh）" in released


def test_the_held_applications_reason_links_to_the_hold(client, ctx, world):  # type: ignore[no-untyped-def]
    hold_id = _held(ctx)
    [outcome] = submit_results(ctx, world.zhuhai, [make_result(exam_point="EP-440400-01")])
    assert outcome.outcome == "in_review"
    officer_login(client, world, "zh")
    page = client.get(f"/officer/applications/{outcome.application_id}").text
    assert f'href="/officer/holds?hold={hold_id}#hold-{hold_id}"' in page
    assert "暂停自动发证" in page and "考试数据预警" in page


def test_another_provinces_officer_sees_no_hold_and_cannot_release_it(client, ctx, world):  # type: ignore[no-untyped-def]
    hold_id = _held(ctx)
    officer_login(client, world, "cq")
    assert "辖区内没有暂停自动发证" in client.get("/officer/holds").text
    answer = post_form(
        client, "/officer/holds", f"/officer/holds/{hold_id}/release", {"reason": "x"}
    )
    assert answer.status_code == 404
    assert len(holds.holds_in_scope(ctx, world.zhuhai_officer)[0]) == 1


def test_an_inspector_sees_the_hold_without_a_button_and_is_refused(client, ctx, world):  # type: ignore[no-untyped-def]
    hold_id = _held(ctx)
    officer_login(client, world, "insp")
    page = client.get("/officer/holds").text
    assert "香洲考试点" in page and "解除暂停</button>" not in page
    answer = post_form(
        client, "/officer/holds", f"/officer/holds/{hold_id}/release", {"reason": "x"}
    )
    assert answer.status_code == 403


def test_a_forged_id_and_a_page_out_of_range_are_not_errors_of_the_server(client, ctx, world):  # type: ignore[no-untyped-def]
    _held(ctx)
    officer_login(client, world, "zh")
    forged = post_form(client, "/officer/holds", "/officer/holds/../../x/release", {"reason": "x"})
    assert forged.status_code in (404, 405)
    answer = post_form(client, "/officer/holds", "/officer/holds/abc/release", {"reason": "x"})
    assert answer.status_code == 404
    assert client.get("/officer/holds?page=99999999").status_code == 422
    assert client.get("/officer/holds?page=2").status_code == 200


def test_the_page_needs_a_login(client):  # type: ignore[no-untyped-def]
    answer = client.get("/officer/holds", follow_redirects=False)
    assert answer.status_code in (303, 401)
