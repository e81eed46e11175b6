"""The certificate PDF carries its own Chinese font: it reads the same on a machine with no fonts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from reportlab.lib.units import mm

from opcert.documents.certificate_pdf import FONT, render
from opcert.domain.lifecycle import PublicStatus
from tests.unit.documents.poppler import embedded, needs_poppler, no_fonts_config, run
from tests.unit.documents.poppler import render as pdftoppm
from tests.unit.documents.test_certificate_pdf import make_view

pytestmark = needs_poppler
NAME = "阿卜杜·热合曼"
DPI = 100
KINDS = [
    pytest.param(typ, layout, status, id=f"{typ}-{layout}-{status.value}")
    for typ in ("SO", "SM")
    for layout in ("a4", "card")
    for status in (PublicStatus.VALID, PublicStatus.REVOKED)
]


def write(tmp_path: Path, pdf: bytes, stem: str = "cert") -> Path:
    path = tmp_path / f"{stem}.pdf"
    path.write_bytes(pdf)
    return path


def dark(image: Image.Image, box_mm: tuple[float, float, float, float]) -> int:
    """How many pixels of `image` inside the box (left, top, right, bottom in mm) are dark."""
    px = DPI / 25.4
    crop = image.crop(tuple(round(v * px) for v in box_mm)).convert("L")
    return sum(crop.histogram()[:128])


@pytest.mark.parametrize(("typ", "layout", "status"), KINDS)
def test_every_font_of_every_kind_of_certificate_is_embedded(tmp_path, typ, layout, status):
    view = make_view(name=NAME, typ=typ, status=status)
    fonts = embedded(run("pdffonts", write(tmp_path, render(view, layout))))
    assert fonts, "the page sets its text in some font"
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert all(name.endswith("+NotoSansCJKsc-Regular") for name, _ in fonts), fonts


@pytest.mark.parametrize("layout", ["a4", "card"])
def test_a_machine_without_any_font_draws_the_same_page_as_one_with_chinese_fonts(tmp_path, layout):
    pdf = write(tmp_path, render(make_view(name=NAME), layout))
    bare = pdftoppm(pdf, DPI, no_fonts_config(tmp_path))
    reference = pdftoppm(pdf, DPI)
    assert ImageChops.difference(bare, reference).getbbox() is None


def test_the_holders_name_is_drawn_and_extracted_with_no_fonts_installed(tmp_path):
    pdf = write(tmp_path, render(make_view(name=NAME)))
    config = no_fonts_config(tmp_path)
    bare = pdftoppm(pdf, DPI, config)
    # The name row: x from 86 mm, its baseline 48 mm below the top edge of the A4 page.
    assert dark(bare, (86, 43, 120, 49.5)) > 150
    blank = pdftoppm(write(tmp_path, render(make_view(name="")), "blank"), DPI, config)
    assert dark(blank, (92, 43, 120, 49.5)) == 0
    assert NAME in run("pdftotext", pdf, "-enc", "UTF-8", fonts=config)


def test_the_middle_dot_in_a_name_is_drawn_as_a_dot_not_as_a_missing_glyph_box(tmp_path):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    bare = pdftoppm(write(tmp_path, render(make_view(name=NAME))), 300, no_fonts_config(tmp_path))
    start = 86 + stringWidth("阿卜杜", FONT, 12) / mm
    width = stringWidth("·", FONT, 12) / mm
    px = 300 / 25.4
    column = bare.crop(
        (round(start * px), round(43 * px), round((start + width) * px), round(49.5 * px))
    ).convert("L")
    rows_with_ink = [
        y
        for y in range(column.height)
        if sum(column.crop((0, y, column.width, y + 1)).histogram()[:128])
    ]
    assert rows_with_ink, "the dot is drawn"
    # A dot sits mid-height and is small; a missing-glyph box would run the full height.
    assert len(rows_with_ink) < column.height / 4
    assert column.height * 0.25 < sum(rows_with_ink) / len(rows_with_ink) < column.height * 0.85


def test_a_revoked_certificate_shows_its_state_with_no_fonts_installed(tmp_path):
    view = make_view(name=NAME)
    config = no_fonts_config(tmp_path)
    valid = pdftoppm(write(tmp_path, render(view), "valid"), DPI, config)
    revoked_pdf = write(
        tmp_path, render(dataclasses.replace(view, status=PublicStatus.REVOKED)), "r"
    )
    revoked = pdftoppm(revoked_pdf, DPI, config)
    assert ImageChops.difference(valid, revoked).getbbox() is not None
    # pdftotext -raw keeps the order of the turned words, one character a line.
    text = "".join(run("pdftotext", revoked_pdf, "-raw", "-enc", "UTF-8", fonts=config).split())
    assert "已撤销" in text and "作废" in text
