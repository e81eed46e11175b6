"""The holder's QR page: the QR inline (no further fetch), the certificate's state on it, and no
pass shown for a certificate that is not valid; the offline copy goes with the session."""

from __future__ import annotations

import re

from opcert.credential.qr import read_qr
from opcert.services.holders.qr_card import qr_svg
from opcert.services.lifecycle import acts
from tests.integration.test_web_holder import code_step, holder
from tests.integration.web_pages import post_form


def logged_in(client, ctx, world) -> dict:  # type: ignore[no-untyped-def]
    row = holder(ctx, world)
    code_step(client, row)
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    assert face.headers["location"] == "/holder/certificates"
    return row


def test_a_valid_certificates_qr_page_carries_the_code_inline_and_says_valid(client, ctx, world):
    row = logged_in(client, ctx, world)
    page = client.get(f"/holder/certificates/T{row['id_number']}/1.2/qr")
    assert page.status_code == 200
    assert '<svg class="qr-code"' in page.text and "qr.png" not in page.text
    assert re.search(r'data-testid="certificate-state"[^>]*>有效<', page.text)
    assert "全屏显示" in page.text
    assert "no-store" in page.headers["cache-control"]


def test_the_inline_svg_encodes_exactly_the_text():
    from PIL import Image, ImageDraw

    code = qr_svg("HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE")
    image = Image.new("L", (code.size * 8, code.size * 8), 255)
    draw = ImageDraw.Draw(image)
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)", code.path):
        left, top, length = int(x) * 8, int(y) * 8, int(run) * 8
        draw.rectangle([left, top, left + length - 1, top + 7], fill=0)
    assert read_qr(image) == ["HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE"]


def test_a_revoked_certificates_qr_page_says_so_and_shows_no_code(client, ctx, world):
    row = logged_in(client, ctx, world)
    number = "T" + row["id_number"]
    acts.revoke(ctx, number, "1.2", "以欺骗手段取得", ground="deception")
    page = client.get(f"/holder/certificates/{number}/1.2/qr").text
    assert "此证书不能作为有效证件出示" in page and "已被发证机关撤销" in page
    assert "<svg" not in page and "全屏显示" not in page
    assert re.search(r'data-testid="certificate-state"[^>]*>已撤销<', page)
    assert client.get(f"/holder/certificates/{number}/1.2/qr.png").status_code == 404


def test_another_persons_qr_page_answers_as_unknown(client, ctx, world):
    logged_in(client, ctx, world)
    other = holder(ctx, world)
    page = client.get(f"/holder/certificates/T{other['id_number']}/1.2/qr")
    assert page.status_code == 404 and "<svg" not in page.text


def test_logout_clears_the_kept_qr_pages_and_the_service_worker(client, ctx, world):
    logged_in(client, ctx, world)
    token = client.get("/holder/certificates").text.split('name="csrf_token" value="')[1]
    out = client.post(
        "/holder/logout", data={"csrf_token": token.split('"')[0]}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["clear-site-data"] == '"cache", "storage"'


def test_the_service_worker_is_served_with_the_worker_policy_under_holder(client):
    worker = client.get("/holder/qr-sw.js")
    assert worker.status_code == 200 and "javascript" in worker.headers["content-type"]
    assert worker.headers["content-security-policy"].startswith("default-src 'none'")
    assert "opcert-holder-qr" in worker.text
