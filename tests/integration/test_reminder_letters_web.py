"""The reminder-letter pages and the command: the ministry issues a month's letters with the
button, a province answers on the letter's page, outsiders get nothing; the CLI writes the PDFs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from opcert.services.analytics import letters as reminder_letters
from opcert.services.registry import parties as registry
from tests.integration.cli_runner import cli_of
from tests.integration.test_reminder_letters import PERIOD, TWO_PROVINCES, record_run
from tests.integration.web_pages import csrf, post_form

PASSWORD = "correct horse battery staple"


def login(client, username: str):  # type: ignore[no-untyped-def]
    answer = post_form(
        client, "/officer/login", "/officer/login", {"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 303, answer.text
    return answer


def ministry(ctx) -> str:  # type: ignore[no-untyped-def]
    registry.add_officer(
        ctx, username="ministry", region="000000", role="analyst", password=PASSWORD
    )
    return "ministry"


def issue(client, period: str = PERIOD):  # type: ignore[no-untyped-def]
    return post_form(
        client, "/officer/analytics/letters", "/officer/analytics/letters", {"period": period}
    )


def test_the_ministry_issues_the_months_letters_with_the_button(client, ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    login(client, ministry(ctx))
    page = client.get("/officer/analytics/letters")
    assert "生成提醒函" in page.text and "还没有提醒函" in page.text
    done = issue(client)
    assert done.status_code == 200
    assert "2 份提醒函（新发 2 份" in done.text
    assert done.text.count('data-testid="letter-row"') == 2
    assert "应急考提〔2026〕第 0001 号" in done.text and "广东省" in done.text
    again = issue(client)
    assert "新发 0 份" in again.text and again.text.count('data-testid="letter-row"') == 2


def test_a_bad_month_is_shown_next_to_the_field_and_nothing_is_issued(client, ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    login(client, ministry(ctx))
    answer = issue(client, "2026-13")
    assert answer.status_code == 422
    assert 'id="e-period"' in answer.text and "YYYY-MM" in answer.text
    assert reminder_letters.letters(ctx, None) == []


def test_a_province_officer_has_no_button_and_a_forged_post_is_refused(client, ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    login(client, "gd")
    page = client.get("/officer/analytics/letters")
    assert page.status_code == 200 and "生成提醒函" not in page.text
    forged = client.post(
        "/officer/analytics/letters", data={"csrf_token": csrf(page.text), "period": PERIOD}
    )
    assert forged.status_code == 403
    assert reminder_letters.letters(ctx, None) == []


def test_the_province_answers_on_the_letters_page(client, ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    letter = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD)}["440000"]
    login(client, "gd")
    url = f"/officer/analytics/letters/{letter.id}"
    page = client.get(url)
    assert page.status_code == 200 and page.text.count('data-testid="letter-signal"') == 2
    assert page.text.count("提交回复") == 2
    empty = post_form(client, url, f"{url}/signals/1/reply", {"kind": "rectified", "text": " "})
    assert empty.status_code == 422 and 'id="e-text-1"' in empty.text
    done = post_form(
        client, url, f"{url}/signals/1/reply", {"kind": "no_issue", "text": "已调取录像核查"}
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "回复已记录" in shown.text and "经核查无问题" in shown.text
    assert "已调取录像核查" in shown.text
    pdf = client.get(f"{url}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == letter.pdf_sha256


def test_another_provinces_letter_is_not_found_on_every_route(client, ctx, world) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    letter = {x.province: x for x in reminder_letters.issue_letters(ctx, PERIOD)}["440000"]
    login(client, "cq")
    url = f"/officer/analytics/letters/{letter.id}"
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/pdf").status_code == 404
    token = csrf(client.get("/officer/analytics/letters").text)
    forged = client.post(
        f"{url}/signals/1/reply", data={"csrf_token": token, "kind": "rectified", "text": "x"}
    )
    assert forged.status_code == 404
    assert client.get("/officer/analytics/letters/99999999999").status_code in (404, 422)
    assert reminder_letters.letter(ctx, None, letter.id).letter.replied == 0


def test_the_letter_pages_need_a_login(client, ctx, world) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/officer/analytics/letters", follow_redirects=False)
    assert answer.status_code in (302, 303) and answer.headers["location"] == "/officer/login"


def test_the_command_writes_one_pdf_per_province(
    platform, ctx, world, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, TWO_PROVINCES)
    with cli_of(platform, monkeypatch) as run:
        result = run("analytics", "letters", "--period", PERIOD, "-o", tmp_path / "out")
        assert result.exit_code == 0, result.output
        written = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert written == [
            "reminder-letter-440000-2026-10-r1.pdf",
            "reminder-letter-500000-2026-10-r1.pdf",
        ]
        assert "已写入 2 份提醒函" in result.output
        again = run("analytics", "letters", "--period", PERIOD, "-o", tmp_path / "out")
        assert again.exit_code == 0 and "已发过" in again.output


def test_the_command_says_when_a_month_has_no_signals_and_refuses_a_bad_month(
    platform, ctx, world, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    record_run(ctx, [])
    with cli_of(platform, monkeypatch) as run:
        empty = run("analytics", "letters", "--period", PERIOD, "-o", tmp_path / "none")
        assert empty.exit_code == 0 and "没有异常信号" in empty.output
        assert not (tmp_path / "none").exists()
        bad = run("analytics", "letters", "--period", "2026-13", "-o", tmp_path / "x")
        assert bad.exit_code != 0
        assert getattr(bad.exception, "field", None) == "period"
