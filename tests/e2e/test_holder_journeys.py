"""A holder logs in with real-name verification and downloads the PDF certificate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.seed import PASSWORD

pytestmark = pytest.mark.e2e


def test_a_holder_logs_in_and_downloads_the_pdf(page, server):
    _, seeded = server
    page.goto("/holder/login")
    page.get_by_label("证件号码", exact=True).fill(seeded.valid_id)
    page.get_by_label("姓名", exact=True).fill(seeded.valid_name)
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.get_by_label("短信验证码")).to_be_visible()
    outbox = page.context.new_page()
    outbox.goto("/dev/outbox")
    message = outbox.get_by_test_id("outbox-message").first.inner_text()
    code = re.search(r"验证码 (\d{6})", message)
    assert code, message
    outbox.close()
    page.get_by_label("短信验证码").fill(code.group(1))
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="模拟：人脸识别通过").click()
    expect(page.get_by_test_id("certificate-status")).to_have_text("有效")
    screenshot(page, "holder-certificates")
    with page.expect_download() as download:
        page.get_by_test_id("pdf-download").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_role("link", name="全屏出示二维码").click()
    expect(page.get_by_test_id("certificate-qr")).to_be_visible()
    screenshot(page, "holder-qr")


# -- the holder journey of issue 14: review routing, resend, QR page, renewal ------------------


@dataclass(frozen=True)
class People:
    beijing_born: tuple[str, str]  # certified in Zhuhai, ID from Beijing
    resend: tuple[str, str]
    qr: tuple[str, str]
    renewal: tuple[str, str]


@pytest.fixture(scope="module")
def people(server) -> People:  # type: ignore[no-untyped-def]
    """Holders of this module's journeys, written through the services into the running
    server's data directory (each journey has its own, so the per-ID code limits do not mix)."""
    from opcert.bootstrap import build
    from opcert.services.intake.pipeline import submit_results
    from opcert.services.kernel import authentication
    from opcert.services.registry import parties as registry
    from opcert.settings import Settings
    from tests.integration.builders import id_number, make_result

    _, seeded = server
    platform = build(Settings(data_dir=seeded.valid_qr.parent, env="development"))
    ctx = platform.ctx
    zhuhai = authentication.authenticate_institution(ctx, seeded.api_key)
    day = (ctx.today() - timedelta(days=1)).isoformat()
    rows = [
        make_result(id_number=id_number("110101", born=date(1984, 2, 3), seq=41), name="王强"),
        make_result(id_number=id_number(seq=42), name="陈红"),
        make_result(id_number=id_number(seq=43), name="林峰"),
        make_result(id_number=id_number(seq=44), name="黄伟"),
    ]
    for row in rows:
        row["exam_date"] = day
    outcomes = submit_results(ctx, zhuhai, rows)
    assert [o.outcome for o in outcomes] == ["issued"] * 4, outcomes
    # 黄伟's certificate was issued six years ago: it ends in 20 days, inside the renewal window.
    with ctx.uow() as uow:
        cert = uow.certificates.get("T" + rows[3]["id_number"], "1.2")
        assert cert is not None
        cert.valid_to = ctx.today() + timedelta(days=20)
        cert.valid_from = cert.first_issued_on = cert.valid_to - timedelta(days=6 * 365)
        cert.review_due_on = None
        uow.commit()
    registry.add_officer(ctx, username="zh-renewals", region="440400", password=PASSWORD)
    platform.close()
    return People(*[(row["id_number"], row["name"]) for row in rows])


def _login_until_code(page, person: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.goto("/holder/login")
    page.get_by_label("证件号码", exact=True).fill(person[0])
    page.get_by_label("姓名", exact=True).fill(person[1])
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.get_by_label("短信验证码")).to_be_visible()


def _latest_code(page) -> str:  # type: ignore[no-untyped-def]
    outbox = page.context.new_page()
    outbox.goto("/dev/outbox")
    message = outbox.get_by_test_id("outbox-message").first.inner_text()
    outbox.close()
    code = re.search(r"验证码 (\d{6})", message)
    assert code, message
    return code.group(1)


def _log_in(page, person: tuple[str, str], face: str = "模拟：人脸识别通过") -> None:  # type: ignore[no-untyped-def]
    _login_until_code(page, person)
    page.get_by_label("短信验证码").fill(_latest_code(page))
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name=face).click()


def test_a_beijing_born_worker_certified_in_zhuhai_is_reviewed_by_zhuhai(page, people, tmp_path):
    _log_in(page, people.beijing_born, face="模拟：人脸识别未通过")
    expect(page.get_by_test_id("reviewer")).to_contain_text("珠海市应急管理局")
    expect(page.locator("select")).to_have_count(0)  # no picker
    screenshot(page, "holder-review-routed")
    photo = tmp_path / "me.png"
    from tests.integration.builders import small_png

    photo.write_bytes(small_png())
    page.get_by_label("手持身份证照片").set_input_files(str(photo))
    page.get_by_role("button", name="提交人工审核").click()
    expect(page.get_by_test_id("review-sent")).to_be_visible()


def test_the_resend_button_counts_down_and_the_server_refuses_an_early_resend(
    page, browser, server, people
):
    _login_until_code(page, people.resend)
    button = page.get_by_role("button", name="重新发送")
    expect(button).to_be_disabled()
    expect(page.get_by_test_id("resend-countdown")).to_contain_text("秒后可重新发送")
    first = page.get_by_test_id("resend-countdown").inner_text()
    page.wait_for_timeout(1500)
    assert page.get_by_test_id("resend-countdown").inner_text() != first  # it counts down
    screenshot(page, "holder-code-resend-countdown")
    # Without JavaScript the button is usable: the server refuses and says how long is left.
    cookies = page.context.cookies()
    plain = browser.new_context(base_url=server[0], java_script_enabled=False)
    plain.add_cookies(cookies)
    nojs = plain.new_page()
    nojs.goto("/holder/code")
    expect(nojs.get_by_test_id("resend-countdown")).to_contain_text("秒后可重新发送")
    nojs.get_by_role("button", name="重新发送").click()
    expect(nojs.locator("#e-resend")).to_contain_text("秒后再重新发送")
    screenshot(nojs, "holder-code-resend-refused", axe=False)  # JavaScript off: axe cannot run
    plain.close()


def test_the_qr_page_goes_full_screen_keeps_the_screen_on_and_opens_offline(page, people):
    _log_in(page, people.qr)
    page.get_by_role("link", name="全屏出示二维码").first.click()
    expect(page.get_by_test_id("certificate-qr")).to_be_visible()
    expect(page.get_by_test_id("certificate-state")).to_have_text("有效")
    box = page.get_by_test_id("certificate-qr").bounding_box()
    assert box and box["width"] >= 330, box  # fills a 360 px screen
    page.wait_for_function("window.opcertWakeLock && !window.opcertWakeLock.released")
    screenshot(page, "holder-qr-page")
    page.get_by_role("button", name="全屏显示").click()
    page.wait_for_function(
        "document.fullscreenElement && document.fullscreenElement.id === 'qr-card'"
    )
    screenshot(page, "holder-qr-fullscreen")
    page.evaluate("document.exitFullscreen()")
    page.wait_for_function("document.documentElement.dataset.offlineReady === '1'")
    url = page.url
    page.context.set_offline(True)
    try:
        page.goto(url)
        expect(page.get_by_test_id("certificate-qr")).to_be_visible()
        screenshot(page, "holder-qr-offline")
    finally:
        page.context.set_offline(False)
    # Logout clears the kept copy: the next person on this phone cannot open it offline.
    page.goto("/holder/certificates")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/")
    kept = page.evaluate("caches.open('opcert-holder-qr').then(c => c.keys()).then(k => k.length)")
    assert kept == 0


def test_a_revoked_certificates_qr_page_shows_no_pass(page, server):
    _, seeded = server
    _log_in(page, (seeded.revoked_id, "赵六"))
    page.goto(f"/holder/certificates/T{seeded.revoked_id}/1.2/qr")
    expect(page.get_by_test_id("qr-void")).to_contain_text("已被发证机关撤销")
    expect(page.get_by_test_id("certificate-qr")).to_have_count(0)
    screenshot(page, "holder-qr-revoked")


def test_a_renewal_from_my_certificates_reaches_the_zhuhai_officers_queue(
    page, browser, server, people
):
    _log_in(page, people.renewal)
    option = page.get_by_test_id("renewal-option")
    expect(option).to_contain_text("受理截止日期")
    screenshot(page, "holder-renewal-open")
    page.get_by_test_id("renewal-apply").click()
    expect(page.get_by_test_id("renewal-applied")).to_be_visible()
    expect(option).to_contain_text("等待发证机关办理")
    screenshot(page, "holder-renewal-applied")
    officer = browser.new_context(base_url=server[0], viewport={"width": 360, "height": 780})
    desk = officer.new_page()
    desk.goto("/officer/login")
    desk.get_by_label("用户名").fill("zh-renewals")
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.goto("/officer/renewals")
    expect(desk.get_by_test_id("renewal-application")).to_contain_text("T" + people.renewal[0])
    screenshot(desk, "officer-renewals")
    officer.close()
