"""Officer and exam institution pages: login, queue, decisions, revocation, search, uploads."""

from __future__ import annotations

from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import accounts
from opcert.services.registry import parties as registry
from tests.integration.builders import make_result
from tests.integration.web_pages import post_form, query


def officer_login(client, world, username: str = "cq"):  # type: ignore[no-untyped-def]
    return post_form(
        client,
        "/officer/login",
        "/officer/login",
        {"username": username, "password": world.password},
    )


def institution_login(client, ctx, username: str = "zh-upload"):  # type: ignore[no-untyped-def]
    password = "upload password 2026"
    accounts.add_institution_user(ctx, institution="EXAM-ZH", username=username, password=password)
    return post_form(
        client,
        "/institution/login",
        "/institution/login",
        {"username": username, "password": password},
    )


def in_review(ctx, world, **overrides) -> tuple[str, dict]:
    registry.set_auto_approve(ctx, "CN-500000", False)
    row = make_result(exam_point="EP-500000-01", **overrides)
    [outcome] = submit_results(ctx, world.chongqing, [row])
    assert outcome.application_id
    return outcome.application_id, row


def test_officer_pages_need_a_login(client):
    assert (
        client.get("/officer/queue", follow_redirects=False).headers["location"] == "/officer/login"
    )


def test_a_wrong_password_is_named_on_the_form(client, world):
    response = post_form(
        client, "/officer/login", "/officer/login", {"username": "cq", "password": "x"}
    )
    assert response.status_code == 401
    assert 'id="e-password"' in response.text


def test_the_queue_shows_the_working_day_countdown_and_reasons(client, ctx, world):
    in_review(ctx, world, name="王五")
    assert officer_login(client, world).status_code == 303
    page = client.get("/officer/queue").text
    assert "剩 20 个工作日" in page
    assert "发证机关要求逐件人工审批" in page


def test_approving_makes_the_certificate_queryable(client, ctx, world):
    app_id, row = in_review(ctx, world, name="王五")
    officer_login(client, world)
    detail = client.get(f"/officer/applications/{app_id}").text
    assert "自动检查" in detail
    response = post_form(
        client,
        f"/officer/applications/{app_id}",
        f"/officer/applications/{app_id}/decision",
        {"decision": "approve", "reason": ""},
    )
    assert response.status_code == 303
    assert 'data-testid="certificate-status"' in query(client, row["id_number"], "王五").text


def test_a_rejection_without_a_reason_is_named_on_the_form(client, ctx, world):
    app_id, _ = in_review(ctx, world)
    officer_login(client, world)
    response = post_form(
        client,
        f"/officer/applications/{app_id}",
        f"/officer/applications/{app_id}/decision",
        {"decision": "reject", "reason": ""},
    )
    assert response.status_code == 422
    assert 'id="e-reason"' in response.text


def test_batch_approval_approves_the_chosen_clean_applications(client, ctx, world):
    first, _ = in_review(ctx, world)
    second, _ = in_review(ctx, world)
    officer_login(client, world)
    response = post_form(
        client, "/officer/queue", "/officer/queue/approve-clean", {"application": [first, second]}
    )
    assert response.headers["location"] == "/officer/queue?done=batch-2"


def test_revocation_with_grounds_and_certificate_search(client, ctx, world):
    row = make_result()
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    officer_login(client, world, "zh")
    found = client.get("/officer/certificates", params={"q": row["id_number"]}).text
    assert outcome.certificate_no in found
    missing_reason = post_form(
        client,
        "/officer/revoke",
        "/officer/revoke",
        {"number": outcome.certificate_no, "item": "1.2", "ground": "unfit", "reason": ""},
    )
    assert 'id="e-reason"' in missing_reason.text
    answers = {
        "number": outcome.certificate_no,
        "item": "1.2",
        "ground": "unfit",
        "reason": "体检不合格",
    }
    preview = post_form(client, "/officer/revoke", "/officer/revoke", answers)
    assert 'data-testid="revoke-preview"' in preview.text
    assert "有效" in preview.text and "已撤销" not in found_state(client, row)
    key = preview.text.split('name="confirmation" value="')[1].split('"')[0]
    done = post_form(client, "/officer/revoke", "/officer/revoke", {**answers, "confirmation": key})
    assert 'data-testid="revoked"' in done.text
    assert "已撤销" in found_state(client, row)


def found_state(client, row) -> str:  # type: ignore[no-untyped-def]
    return str(client.get("/officer/certificates", params={"q": row["id_number"]}).text)


def test_an_institution_uploads_a_csv_and_gets_a_per_row_report_and_error_sheet(client, ctx, world):
    login = institution_login(client, ctx)
    assert login.status_code == 303
    good, bad = make_result(), make_result(id_number="123")
    header = "ref,id_number,name,item,theory_score,practical_score,exam_date,exam_point,phone\n"
    lines = [",".join(str(r[k]) for k in header.strip().split(",")) for r in (good, bad)]
    files = {"file": ("r.csv", (header + "\n".join(lines)).encode(), "text/csv")}
    page = post_form(client, "/institution/upload", "/institution/upload", {}, files=files).text
    assert 'data-outcome="issued"' in page and 'data-outcome="rejected"' in page
    link = page.split('href="/institution/error-sheets/')[1].split('"')[0]
    sheet = client.get(f"/institution/error-sheets/{link}")
    assert sheet.content[:2] == b"PK"
    assert good["ref"] in client.get("/institution/upload").text


def test_a_wrong_password_and_a_bad_file_are_named(client, ctx, world):
    bad = post_form(
        client,
        "/institution/login",
        "/institution/login",
        {"username": "zh-upload", "password": "nope"},
    )
    assert bad.status_code == 401 and 'id="e-password"' in bad.text
    institution_login(client, ctx)
    files = {"file": ("r.pdf", b"%PDF", "application/pdf")}
    page = post_form(client, "/institution/upload", "/institution/upload", {}, files=files)
    assert page.status_code == 422 and 'id="e-file"' in page.text
