"""A certificate that is not valid says so across the page; a valid one carries no mark."""

from __future__ import annotations

import dataclasses

import pypdfium2
import pytest
from PIL import Image

from opcert.credential.qr import read_qr
from opcert.documents.certificate_pdf import render
from opcert.documents.watermark import watermark_lines
from opcert.domain.lifecycle import PublicStatus
from tests.unit.documents.test_certificate_pdf import SC1, make_view, raster

VOID_STATES = [
    (PublicStatus.REVOKED, "已撤销"),
    (PublicStatus.CANCELLED, "已注销"),
    (PublicStatus.EXPIRED, "已过期"),
    (PublicStatus.LAPSED, "已失效"),
]


def text_of(pdf: bytes) -> str:
    return pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()


def reddish(image: Image.Image) -> int:
    """Pixels where red clearly dominates: the watermark's ink (the page has no other red)."""
    red, green, blue = (band.load() for band in image.split())
    width, height = image.size
    return sum(
        1
        for x in range(width)
        for y in range(height)
        if red[x, y] - green[x, y] > 40 and red[x, y] - blue[x, y] > 40
    )


@pytest.mark.parametrize(("status", "word"), VOID_STATES, ids=[s.value for s, _ in VOID_STATES])
@pytest.mark.parametrize("layout", ["a4", "card"])
def test_a_void_certificate_is_stamped_with_its_state_and_the_word_void(status, word, layout):
    pdf = render(make_view(status=status), layout)
    text = text_of(pdf)
    assert word in text
    assert "作废" in text
    image = raster(pdf, 50 if layout == "a4" else 150)
    assert reddish(image) > 0.01 * image.width * image.height


@pytest.mark.parametrize("layout", ["a4", "card"])
def test_a_valid_certificate_has_no_watermark(layout):
    pdf = render(make_view(), layout)
    assert "作废" not in text_of(pdf)
    assert all(s.look.label_zh[:3] not in text_of(pdf) for s, _ in VOID_STATES)
    assert reddish(raster(pdf, 50 if layout == "a4" else 150)) == 0
    assert watermark_lines(PublicStatus.VALID) is None


def test_a_suspended_certificate_is_marked_not_usable_now_but_not_void():
    text = text_of(render(make_view(status=PublicStatus.SUSPENDED)))
    assert PublicStatus.SUSPENDED.look.label_zh in text
    assert "作废" not in text
    assert "现不得作为持证上岗凭证" in text


def test_the_reason_in_the_lapsed_label_goes_to_the_second_line():
    word, detail = watermark_lines(PublicStatus.LAPSED)  # type: ignore[misc]
    assert word == "已失效"
    assert detail.startswith("未按期复审")
    assert "作废" in detail


@pytest.mark.parametrize("layout", ["a4", "card"])
def test_the_qr_code_still_reads_through_the_watermark(layout):
    view = dataclasses.replace(make_view(), status=PublicStatus.REVOKED)
    dpi = 150 if layout == "a4" else 300
    assert read_qr(raster(render(view, layout), dpi)) == [SC1]
