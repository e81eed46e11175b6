"""Public journeys in a real browser: the certificate query and QR verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import cbor2
import pytest
from playwright.sync_api import expect

from opcert.bootstrap import build
from opcert.credential.qr import qr_png
from opcert.domain.clock import SHANGHAI, FixedClock
from opcert.interfaces.web.security import CaptchaBook
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import authentication
from opcert.services.lifecycle import acts
from opcert.services.verification import query as certificates
from opcert.settings import Settings
from tests.e2e.conftest import screenshot
from tests.e2e.offline_page import cose_of, install, offline, sc1_from, verify_in_page
from tests.integration.builders import id_number, make_result

pytestmark = pytest.mark.e2e


def captcha_answer(token: str) -> str:
    """What the captcha image of ``token`` shows, computed the only way a test can: with the
    development server's captcha key (same environment, see conftest). The page never says."""
    book = CaptchaBook(Settings(env="development").secret("captcha"), lambda *_: True)
    answer = book.solution(token)
    assert answer, "the page's captcha token is not one of the development key"
    return answer


def query(page, id_number: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/query")
    page.get_by_label("证件号码", exact=True).fill(id_number)
    page.get_by_label("姓名", exact=True).fill(name)
    expect(page.get_by_test_id("captcha-image")).to_have_js_property("naturalWidth", 200)
    token = page.locator('input[name="captcha_token"]').get_attribute("value")
    page.get_by_label("验证码", exact=True).fill(captcha_answer(token or ""))
    page.get_by_role("button", name="查询").click()


def test_a_query_for_a_registered_certificate_shows_it_as_valid(page, server):
    _, seeded = server
    query(page, seeded.valid_id, seeded.valid_name)
    expect(page.get_by_test_id("certificate-status")).to_have_text("有效")
    expect(page.get_by_text("T" + seeded.valid_id)).to_be_visible()
    screenshot(page, "query-found")


def test_a_query_for_an_unknown_certificate_says_it_is_not_genuine(page, server):
    query(page, "11010519491231002X", "张三")
    warning = page.get_by_test_id("not-found")
    expect(warning).to_contain_text("不是真实有效的证书")
    expect(page.get_by_role("heading", name="举报疑似假证")).to_be_visible()
    screenshot(page, "query-not-found")


def test_uploading_the_qr_of_a_valid_certificate_says_valid(page, server):
    _, seeded = server
    page.goto("/verify")
    page.get_by_label("照片", exact=True).set_input_files(str(seeded.valid_qr))
    page.get_by_role("button", name="上传并核验").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "VALID")
    expect(verdict).to_contain_text("真实有效")
    expect(page.get_by_test_id("check-signature")).to_contain_text("签名有效")
    screenshot(page, "verify-valid")


def test_uploading_the_qr_of_a_revoked_certificate_says_revoked(page, server):
    _, seeded = server
    page.goto("/verify")
    page.get_by_label("照片", exact=True).set_input_files(str(seeded.revoked_qr))
    page.get_by_role("button", name="上传并核验").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "REVOKED")
    expect(verdict).to_contain_text("已撤销")
    screenshot(page, "verify-revoked")


# --- one vocabulary of states (issue 14) ---------------------------------------------------------


@dataclass
class States:
    """Certificates in each state a person can see, keyed by status: (ID number, name)."""

    people: dict[str, tuple[str, str]]
    valid_sc1: str
    cancelled_sc1: str
    superseded_sc1: str


def _issue(ctx, key: str, name: str, seq: int, on: date | datetime) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """One certificate issued with the clock on ``on`` (Zhuhai, exam the day before): at 10:00
    on a past day, or at the instant given. Today's must be issued now, not at 10:00: the
    server's keys were made when it started, and a credential signed before its key's ``nbf``
    verifies as BAD_SIGNATURE (the test failed whenever the suite started after 10:00)."""
    if isinstance(on, datetime):
        ctx.clock.set(on)
        on = on.date()
    else:
        ctx.clock.set(datetime(on.year, on.month, on.day, 10, tzinfo=SHANGHAI))
    principal = authentication.authenticate_institution(ctx, key)
    row = make_result(
        id_number=id_number(born=date(1984, 2, 3), seq=seq),
        name=name,
        exam_date=(on - timedelta(days=1)).isoformat(),
    )
    [outcome] = submit_results(ctx, principal, [row])
    assert outcome.outcome == "issued", outcome
    return row["id_number"], name


@pytest.fixture(scope="module")
def states(server) -> States:  # type: ignore[no-untyped-def]
    """Written into the live server's database (its data dir holds the seeded QR images), with
    a clock of their own: two issued years ago under Order 30 (one now expired, one whose review
    was missed), the rest today and then cancelled, suspended or corrected."""
    _, seeded = server
    today = datetime.now(SHANGHAI)
    platform = build(
        Settings(data_dir=seeded.valid_qr.parent, env="development"), clock=FixedClock(today)
    )
    ctx = platform.ctx
    people = {
        "valid": (seeded.valid_id, seeded.valid_name),
        "revoked": (seeded.revoked_id, "赵六"),
        "expired": _issue(ctx, seeded.api_key, "钱七", 901, today.date() - timedelta(days=6 * 366)),
        "lapsed": _issue(ctx, seeded.api_key, "孙八", 902, date(2022, 3, 10)),
    }
    ctx.clock.set(today)
    for status, name, seq in (("cancelled", "周九", 903), ("suspended", "吴十", 904)):
        people[status] = _issue(ctx, seeded.api_key, name, seq, today)
    ctx.clock.set(today)
    cancelled = "T" + people["cancelled"][0]
    cancelled_sc1 = certificates.current_credential(ctx, cancelled, "1.2")
    acts.cancel(ctx, cancelled, "1.2", "request")
    acts.suspend(ctx, "T" + people["suspended"][0], "1.2", "停工调查期间")
    corrected = _issue(ctx, seeded.api_key, "郑小", 905, today)
    ctx.clock.set(today)
    superseded_sc1 = certificates.current_credential(ctx, "T" + corrected[0], "1.2")
    acts.correct(ctx, "T" + corrected[0], "1.2", name="郑晓", reason="户籍信息更正")
    valid_sc1 = certificates.current_credential(ctx, "T" + seeded.valid_id, "1.2")
    platform.close()
    return States(people, valid_sc1, cancelled_sc1, superseded_sc1)


STATE_WORDS = {
    "valid": ("有效", "state-good"),
    "revoked": ("已撤销", "state-void"),
    "expired": ("已过期", "state-void"),
    "lapsed": ("已失效（未按期复审）", "state-void"),
    "cancelled": ("已注销", "state-void"),
    "suspended": ("暂扣", "state-held"),
}


@pytest.mark.parametrize("status", list(STATE_WORDS))
def test_each_state_reads_its_one_word_under_a_neutral_banner_and_only_valid_is_green(
    page, states, status
):
    id_no, name = states.people[status]
    query(page, id_no, name)
    word, tone = STATE_WORDS[status]
    badge = page.get_by_test_id("certificate-status")
    expect(badge).to_have_text(word)
    expect(badge).to_have_attribute("data-status", status)
    expect(badge).to_have_class(f"state {tone}")
    banner = page.get_by_test_id("query-found")
    expect(banner).to_contain_text("查询到 1 张证书")
    expect(page.locator(".alert-ok")).to_have_count(0)
    green = badge.evaluate("e => getComputedStyle(e).color") == "rgb(17, 107, 46)"
    assert green == (status == "valid")
    # The icon is beside the words, not instead of them, and the title keeps its width.
    assert badge.evaluate("e => getComputedStyle(e, '::before').content") not in ("none", '""')
    title = page.locator(".cert-head h2")
    assert title.evaluate("e => e.getBoundingClientRect().width") > 150
    screenshot(page, f"query-state-{status}")


def upload(page, text: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The QR of ``text`` uploaded as a photo: the server's verdict (pasted text would be
    verified in the page once its lists are kept, see test_offline_verifier)."""
    photo = tmp_path / "qr.png"
    photo.write_bytes(qr_png(text, ec="Q"))
    page.goto("/verify")
    page.get_by_label("照片", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="上传并核验").click()


def forged_sc1(genuine: str) -> str:
    """A real credential's number and cti under another name and end date; signature kept."""
    protected, unprotected, payload, signature = cose_of(genuine).value
    claims = cbor2.loads(payload)
    claims[-65537]["nam"], claims[-65537]["vto"] = "冒名者", "2036-11-27"
    return sc1_from(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))


def test_a_forged_qr_with_a_real_number_shows_only_unverified_number_and_name(
    page, states, tmp_path
):
    upload(page, forged_sc1(states.valid_sc1), tmp_path)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "BAD_SIGNATURE")
    unverified = page.get_by_test_id("unverified-content")
    expect(unverified.get_by_role("heading")).to_have_text("未经验证的内容")
    expect(unverified).to_contain_text("冒名者")
    expect(page.get_by_text("2036-11-27")).to_have_count(0)
    expect(page.get_by_test_id("verified-content")).to_have_count(0)
    expect(page.get_by_text("与平台记录一致")).to_have_count(0)
    expect(page.get_by_test_id("check-record")).to_have_attribute("data-matches", "no")
    screenshot(page, "verify-forged")


def test_a_cancelled_certificate_is_called_cancelled_by_the_verdict(page, states, tmp_path):
    upload(page, states.cancelled_sc1, tmp_path)
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "REVOKED")
    expect(verdict).to_contain_text("已注销")
    expect(verdict).not_to_contain_text("撤销")
    expect(page.get_by_test_id("record-status")).to_have_text("已注销")
    screenshot(page, "verify-cancelled")


def test_a_superseded_version_names_the_field_that_changed(page, states, tmp_path):
    upload(page, states.superseded_sc1, tmp_path)
    expect(page.get_by_test_id("verdict")).to_contain_text("已被新版本替代")
    expect(page.get_by_test_id("record-message")).to_contain_text("姓名不同")
    expect(page.get_by_test_id("record-status")).to_have_text("已被新版本替代")
    expect(page.get_by_text("与平台记录一致")).to_have_count(0)
    screenshot(page, "verify-superseded")


def test_the_page_verifier_offline_shows_a_forged_qr_only_as_claimed_number_and_name(page, states):
    install(page)
    offline(page)
    verdict = verify_in_page(page, forged_sc1(states.valid_sc1))
    expect(verdict).to_have_attribute("data-verdict", "BAD_SIGNATURE")
    shown = page.locator("#offline-result")
    expect(shown).to_contain_text("未经验证")
    expect(shown).to_contain_text("冒名者")
    expect(shown).not_to_contain_text("2036-11-27")
    expect(shown).not_to_contain_text("低压电工作业")
    screenshot(page, "verify-offline-forged")
