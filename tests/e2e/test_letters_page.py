"""The reminder-letter pages in a real browser: the ministry's list with the 生成提醒函 button, a
letter's page, and Guangdong's officer answering a signal on it; each screenshotted at 360 px and
desktop width and checked by axe-core (``screenshot``).

The seeded server has no analysis run, so this file records one with two signals of last month
in the server's own database (the letters are drawn from whatever run covers the month), and
the ministry issues that month's letters."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import TypeVar

import pytest
from playwright.sync_api import expect
from sqlalchemy.exc import OperationalError

from opcert.bootstrap import build
from opcert.persistence.models import AnalyticsRun, AnalyticsSignal
from opcert.services.analytics import letters as reminder_letters
from opcert.services.registry import parties as registry
from opcert.settings import Settings
from tests.e2e.conftest import screenshot
from tests.e2e.seed import PASSWORD

pytestmark = pytest.mark.e2e
T = TypeVar("T")


def _patiently(step: Callable[[], T]) -> T:
    """Run ``step``, again while the live server holds SQLite's write lock (it warms its status
    lists at start-up); each step is its own transaction, so a retry never doubles a row."""
    for _ in range(240):
        try:
            return step()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.5)
    return step()


def _last_month(today: date) -> tuple[str, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}", last


@pytest.fixture(scope="module")
def letter(server) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """Guangdong's letter for last month, issued by the ministry's analyst."""
    _, seeded = server
    platform = build(Settings(data_dir=seeded.valid_qr.parent, env="development"))
    ctx = platform.ctx
    try:
        for username, region, role in (
            ("ministry", "000000", "analyst"),
            ("gd-letters", "440000", "approver"),
        ):
            _patiently(
                lambda u=username, r=region, o=role: registry.add_officer(
                    ctx, username=u, region=r, role=o, password=PASSWORD
                )
            )
        period, last = _last_month(ctx.today())
        _patiently(lambda: _record_run(ctx, period, last))
        [issued] = _patiently(lambda: reminder_letters.issue_letters(ctx, period))
        yield issued.id
    finally:
        platform.close()


def _record_run(ctx, period: str, last: date) -> None:  # type: ignore[no-untyped-def]
    """A finished run over the year to today with SIGNALS in ``period``."""
    with ctx.uow() as uow:
        run = AnalyticsRun(
            date_from=last.replace(day=1) - timedelta(days=365),
            date_to=ctx.today(),
            fdr=0.1,
            tests=1200,
            untested={},
            provisional=[],
            started_at=ctx.now(),
            finished_at=ctx.now(),
        )
        uow.session.add(run)
        uow.session.flush()
        for unit_type, unit, kind, observed, reference, effect, zh, en in SIGNALS:
            uow.session.add(
                AnalyticsSignal(
                    run_id=run.id, unit_type=unit_type, unit=unit, kind=kind, period=period,
                    statistic=5.1, p_value=2e-8, q_value=3e-6, effect=effect,
                    observed=observed, reference=reference, provisional=False,
                    explanation_zh=zh.format(period=period),
                    explanation_en=en.format(period=period),
                )
            )  # fmt: skip
        uow.commit()


SIGNALS = [
    (
        "exam_point", "EP-440400-01", "score_heaping", 0.41, 0.06, 6.8,
        "考试点 EP-440400-01 {period} 理论考试 80–82 分（刚过及格线）占 41%，同期各考试点为 6%。",
        "exam point EP-440400-01 {period}: of theory scores from 78 to 82, 80–82 make up 41%, "
        "against 6% at other exam points.",
    ),
    (
        "city", "440400", "volume_spike", 912, 310, 2.9,
        "珠海市（440400） {period} 考试 912 人次，按其往月及季节规律预期约 310 人次（2.9 倍）。",
        "city 440400 {period}: 912 exams where its history and the season predict about 310 "
        "(2.9x).",
    ),
]  # fmt: skip


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/officer/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/officer/login"))


def test_the_ministry_sees_the_letters_and_issuing_again_sends_nothing_new(page, letter) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "ministry")
    page.goto("/officer/analytics/letters")
    expect(page.get_by_test_id("letter-row")).to_have_count(1)
    screenshot(page, "letters-list")
    page.get_by_role("button", name="生成提醒函").click()
    expect(page.get_by_test_id("letters-issued")).to_contain_text("新发 0 份")
    expect(page.get_by_test_id("letter-row")).to_have_count(1)
    screenshot(page, "letters-issued")
    page.get_by_role("link", name=re.compile("^应急考提")).click()
    expect(page.get_by_test_id("letter-signal")).to_have_count(2)
    expect(page.get_by_role("button", name="提交回复")).to_have_count(0)
    screenshot(page, "letters-detail-ministry")


def test_guangdong_answers_a_signal_on_the_letters_page(page, letter) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "gd-letters")
    page.goto(f"/officer/analytics/letters/{letter}")
    first = page.locator("#signal-1")
    first.get_by_label("经核查无问题").check()
    first.get_by_label("核查经过和结论").fill(
        "已调取当月考场录像逐场核查，成绩分布与评分记录一致。"
    )
    first.get_by_role("button", name="提交回复").click()
    expect(page.get_by_role("status")).to_contain_text("回复已记录")
    expect(page.locator("#signal-1").get_by_test_id("letter-replies")).to_contain_text(
        "已调取当月考场录像"
    )
    screenshot(page, "letters-detail-replied")
    page.goto(f"/officer/analytics/letters/{letter}?lang=en")
    expect(page.locator("h1")).to_contain_text("Reminder letter 应急考提")
    screenshot(page, "letters-detail-en")
