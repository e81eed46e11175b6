"""Holder pages: real-name login with code and face check, my certificates, manual review."""

from __future__ import annotations

import re

from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result, small_png
from tests.integration.web_pages import post_form


def holder(ctx, world) -> dict:
    row = make_result(name="李四")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    return row


def code_step(client, row) -> None:  # type: ignore[no-untyped-def]
    sent = post_form(
        client, "/holder/login", "/holder/login", {"id_number": row["id_number"], "name": "李四"}
    )
    assert sent.headers["location"] == "/holder/code"
    code = re.search(r"验证码 (\d{6})", client.get("/dev/outbox").text)
    assert code
    checked = post_form(client, "/holder/code", "/holder/code", {"code": code.group(1)})
    assert checked.headers["location"] == "/holder/face"


def test_a_holder_logs_in_and_downloads_the_pdf_and_qr(client, ctx, world):
    row = holder(ctx, world)
    code_step(client, row)
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    assert face.headers["location"] == "/holder/certificates"
    page = client.get("/holder/certificates").text
    assert 'data-testid="certificate-status"' in page
    number = "T" + row["id_number"]
    assert client.get(f"/holder/certificates/{number}/1.2.pdf").content[:5] == b"%PDF-"
    assert client.get(f"/holder/certificates/{number}/1.2/qr.png").content[:4] == b"\x89PNG"


def test_a_holder_downloads_their_safety_manager_certificate_listed_on_their_page(
    client, ctx, world
):
    row = make_result(
        name="李四",
        certificate_type="SM",
        personnel_type="主要负责人",
        industry="煤矿",
        item=None,
        practical_score=None,
        theory_score=85,
    )
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.certificate_no == "A" + row["id_number"]
    code_step(client, row)
    post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    pdf_link = f"/holder/certificates/A{row['id_number']}/SM1.pdf"
    assert pdf_link in client.get("/holder/certificates").text
    assert client.get(pdf_link).content[:5] == b"%PDF-"
    assert client.get(f"/holder/certificates/A{row['id_number']}/SM1/qr.png").content[:4] == (
        b"\x89PNG"
    )


def test_a_holder_cannot_download_someone_elses_certificate(client, ctx, world):
    row, other = holder(ctx, world), holder(ctx, world)
    code_step(client, row)
    post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    assert client.get(f"/holder/certificates/T{other['id_number']}/1.2.pdf").status_code == 404


def test_unknown_person_and_wrong_code_are_named(client, ctx, world):
    row = holder(ctx, world)
    unknown = post_form(
        client,
        "/holder/login",
        "/holder/login",
        {"id_number": "11010519491231002X", "name": "李四"},
    )
    assert unknown.status_code == 422 and 'id="e-id_number"' in unknown.text
    post_form(
        client, "/holder/login", "/holder/login", {"id_number": row["id_number"], "name": "李四"}
    )
    wrong = post_form(client, "/holder/code", "/holder/code", {"code": "000000x"})
    assert wrong.status_code == 422 and 'id="e-code"' in wrong.text


def test_a_failed_face_check_leads_to_manual_review_in_the_authoritys_queue(client, ctx, world):
    row = holder(ctx, world)
    code_step(client, row)
    face = post_form(client, "/holder/face", "/holder/face", {"evidence": "fail"})
    assert face.headers["location"] == "/holder/review"
    form = client.get("/holder/review").text
    assert "珠海市应急管理局" in form and 'name="authority"' not in form
    missing = post_form(client, "/holder/review", "/holder/review", {})
    assert 'id="e-photo"' in missing.text and "珠海市应急管理局" in missing.text
    files = {"photo": ("me.png", small_png(), "image/png")}
    # a forged authority field is ignored: the review goes to the certificate's issuer
    sent = post_form(
        client, "/holder/review", "/holder/review", {"authority": "CN-110000"}, files=files
    )
    assert sent.headers["location"] == "/holder/review/sent"
    post_form(
        client, "/officer/login", "/officer/login", {"username": "zh", "password": world.password}
    )
    queue = client.get("/officer/identity-reviews").text
    assert row["id_number"] in queue
    review_id = re.search(r"/officer/identity-reviews/(\d+)/photo", queue).group(1)
    decided = post_form(
        client,
        "/officer/identity-reviews",
        f"/officer/identity-reviews/{review_id}/decision",
        {"decision": "approve", "reason": ""},
    )
    assert decided.status_code == 303


def test_the_review_page_without_a_checked_code_sends_the_visitor_to_login(client):
    page = client.get("/holder/review", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/holder/login"


def test_production_refuses_the_development_identity_provider():
    from opcert.adapters.identity import UnconfiguredIdentityProvider
    from opcert.bootstrap import identity_provider
    from opcert.settings import Settings

    production = Settings(env="production", identity_provider="development")
    assert isinstance(identity_provider(production), UnconfiguredIdentityProvider)
