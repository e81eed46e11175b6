"""The PDF a holder downloads says what state the certificate is in today."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2

from opcert.services.holders.documents import export_pdf
from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts
from tests.integration.builders import make_result
from tests.integration.test_web_holder import code_step, holder
from tests.integration.web_pages import post_form


def issued(ctx, world, name: str = "阿卜杜·热合曼") -> tuple[str, str]:
    row = make_result(name=name)
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    return outcome.certificate_no, row["item"]


def text_of(pdf: bytes) -> str:
    return pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()


def test_a_valid_certificate_downloads_clean_with_the_holders_name_and_issuer(ctx, world):
    number, item = issued(ctx, world)
    pdf = export_pdf(ctx, number, item)
    text = text_of(pdf)
    assert "阿卜杜·热合曼" in text
    assert "作废" not in text
    info = pypdfium2.PdfDocument(pdf).get_metadata_dict()
    assert info["Subject"] == number
    assert info["Author"] == "珠海市应急管理局"


def test_a_revoked_certificate_downloads_stamped_revoked_and_void(ctx, world):
    number, item = issued(ctx, world)
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    text = text_of(export_pdf(ctx, number, item))
    assert "已撤销" in text and "作废" in text


def test_a_cancelled_certificate_downloads_stamped_cancelled_and_void(ctx, world):
    number, item = issued(ctx, world)
    acts.cancel(ctx, number, item, "request")
    text = text_of(export_pdf(ctx, number, item, "card"))
    assert "已注销" in text and "作废" in text


def test_a_certificate_past_its_validity_downloads_stamped_expired(ctx, world, clock):
    number, item = issued(ctx, world)
    assert "作废" not in text_of(export_pdf(ctx, number, item))
    clock.advance(timedelta(days=6 * 366 + 2))
    text = text_of(export_pdf(ctx, number, item))
    assert "已过期" in text and "作废" in text


def test_the_holders_own_download_of_a_revoked_certificate_is_stamped(client, ctx, world):
    row = holder(ctx, world)
    code_step(client, row)
    post_form(client, "/holder/face", "/holder/face", {"evidence": "pass"})
    number = "T" + row["id_number"]
    acts.revoke(ctx, number, row["item"], "证书记载虚假信息")
    response = client.get(f"/holder/certificates/{number}/{row['item']}.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert "已撤销" in text_of(response.content)
