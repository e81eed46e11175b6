"""The PDF certificate: what it carries, and that the fast QR path changes no pixel."""

from __future__ import annotations

import dataclasses
import io

import pypdfium2
import pytest
from PIL import Image, ImageChops
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from opcert.credential.qr import qr_png, read_qr
from opcert.documents.certificate_pdf import CertificateView, render
from opcert.documents.pdf_images import draw_png

SC1 = "SC1:" + "6BFOXN*TS0BI$ZD-PHQ7I9AD66V5B22CH9M9ESI9XBHXK-%69LQOGI.*V76GCV4*XUA2P" * 6


def make_view(**overrides: object) -> CertificateView:
    fields: dict[str, object] = {
        "typ": "SO",
        "number": "T440402199003071234",
        "name": "张三",
        "sex": "男",
        "category": "电工作业",
        "item": "低压电工作业",
        "first_issued_on": "2026-11-20",
        "valid_from": "2026-11-20",
        "valid_to": "2032-11-20",
        "review_due_on": "2029-11-20",
        "reviewed_on": "",
        "authority": "珠海市应急管理局",
        "qr_png": qr_png(SC1, ec="Q"),
    }
    fields.update(overrides)
    return CertificateView(**fields)  # type: ignore[arg-type]


def raster(pdf: bytes, dpi: int = 150) -> Image.Image:
    page = pypdfium2.PdfDocument(pdf)[0]
    return page.render(scale=dpi / 72).to_pil().convert("RGB")


def one_image_page(draw: str, png: bytes) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(200, 200))
    if draw == "fast":
        draw_png(canvas, png, 20, 30, 150, 150)
    else:
        canvas.drawImage(ImageReader(io.BytesIO(png)), 20, 30, 150, 150)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize("layout", ["a4", "card"])
def test_the_qr_code_of_either_layout_reads_back_as_the_exact_sc1_string(layout: str) -> None:
    dpi = 150 if layout == "a4" else 300
    assert read_qr(raster(render(make_view(), layout), dpi)) == [SC1]


@pytest.mark.parametrize("png", [qr_png(SC1, ec="Q"), qr_png("SC1:ABC", scale=3, border=0)])
def test_the_fast_path_for_a_qr_code_draws_the_same_pixels_as_reportlab(png: bytes) -> None:
    fast, reference = raster(one_image_page("fast", png)), raster(one_image_page("slow", png))
    assert ImageChops.difference(fast, reference).getbbox() is None


def test_an_image_that_is_not_black_and_white_is_drawn_by_reportlab_itself() -> None:
    photo = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 30, 30)).save(photo, format="PNG")
    fast = raster(one_image_page("fast", photo.getvalue()))
    reference = raster(one_image_page("slow", photo.getvalue()))
    assert ImageChops.difference(fast, reference).getbbox() is None
    assert fast.getpixel((100, 150))[0] > 150  # the red is there


def test_the_document_metadata_names_the_certificate_and_its_issuer() -> None:
    metadata = pypdfium2.PdfDocument(render(make_view())).get_metadata_dict()
    assert metadata["Title"] == "中华人民共和国特种作业操作证 T440402199003071234"
    assert metadata["Author"] == "珠海市应急管理局"


def test_a_photo_is_placed_instead_of_the_placeholder() -> None:
    photo = io.BytesIO()
    Image.new("RGB", (300, 400), (10, 120, 10)).save(photo, format="JPEG")
    with_photo = raster(render(make_view(photo=photo.getvalue())))
    without = raster(render(make_view()))
    assert ImageChops.difference(with_photo, without).getbbox() is not None


def test_an_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="layout"):
        render(make_view(), "letter")


def test_the_same_view_renders_the_same_page_twice() -> None:
    view = make_view()
    assert raster(render(view)).tobytes() == raster(render(dataclasses.replace(view))).tobytes()
