"""QR verification page: paste the text or upload a photo; the verdict with each check."""

from __future__ import annotations

from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts
from opcert.services.verification import query as certificates
from tests.integration.builders import make_result
from tests.integration.web_pages import post_form


def certificate(ctx, world) -> str:
    row = make_result()
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.certificate_no
    return outcome.certificate_no


def test_pasting_a_valid_credential_shows_the_verdict_and_each_check(client, ctx, world):
    sc1 = certificates.current_credential(ctx, certificate(ctx, world), "1.2")
    page = post_form(client, "/verify", "/verify", {"payload": sc1})
    assert page.status_code == 200
    assert 'data-verdict="VALID"' in page.text
    for name in ("decode", "key", "signature", "dates", "status"):
        assert f'data-testid="check-{name}"' in page.text
    assert "签名有效" in page.text


def test_uploading_the_qr_image_of_a_revoked_certificate_says_revoked(client, ctx, world):
    number = certificate(ctx, world)
    acts.revoke(ctx, number, "1.2", "测试撤销")
    png = certificates.export_png(ctx, number, "1.2")
    files = {"photo": ("qr.png", png, "image/png")}
    page = post_form(client, "/verify", "/verify", {}, files=files)
    assert 'data-verdict="REVOKED"' in page.text
    assert "已撤销" in page.text


def test_a_photo_without_a_qr_code_is_named_on_the_form(client):
    files = {"photo": ("x.txt", b"not an image", "text/plain")}
    page = post_form(client, "/verify", "/verify", {}, files=files)
    assert page.status_code == 422
    assert 'id="e-photo"' in page.text


def test_garbage_text_is_malformed_not_an_error(client):
    page = post_form(client, "/verify", "/verify", {"payload": "SC1:NOTHING"})
    assert page.status_code == 200
    assert 'data-verdict="MALFORMED"' in page.text


def test_an_empty_payload_is_named_on_the_form(client):
    page = post_form(client, "/verify", "/verify", {"payload": ""})
    assert page.status_code == 422
    assert 'id="e-payload"' in page.text
