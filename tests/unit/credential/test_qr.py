from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from opcert.credential.keys import SoftwareSigner
from opcert.credential.qr import qr_png, read_qr
from opcert.credential.sc1 import encode

from .builders import make_payload


def _read_symbol(png: bytes) -> zxingcpp.Barcode:
    (symbol,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    return symbol


def version(symbol: zxingcpp.Barcode) -> int:
    extra = symbol.extra
    assert isinstance(extra, dict)
    return int(extra["Version"])


def test_a_credential_qr_code_reads_back_to_the_same_string(signer: SoftwareSigner) -> None:
    text = encode(make_payload(), signer)
    assert read_qr(qr_png(text)) == [text]


def test_the_qr_code_uses_alphanumeric_mode_so_it_is_smaller_than_in_byte_mode(
    signer: SoftwareSigner,
) -> None:
    text = encode(make_payload(), signer)
    alphanumeric = _read_symbol(qr_png(text))
    # The same number of characters in lower case can only go in byte mode.
    byte_mode = _read_symbol(qr_png(text.lower(), require_alphanumeric=False))
    assert alphanumeric.format == zxingcpp.BarcodeFormat.QRCode
    assert alphanumeric.content_type == zxingcpp.ContentType.Text
    assert version(alphanumeric) < version(byte_mode)


def test_printed_cards_get_error_correction_q_by_default(signer: SoftwareSigner) -> None:
    assert _read_symbol(qr_png("SC1:ABC")).ec_level == "Q"
    assert _read_symbol(qr_png("SC1:ABC", ec="M")).ec_level == "M"


def test_scale_and_border_set_the_image_size() -> None:
    small = Image.open(io.BytesIO(qr_png("SC1:ABC", scale=1, border=0)))
    large = Image.open(io.BytesIO(qr_png("SC1:ABC", scale=3, border=4)))
    assert small.size[0] == 21  # a version 1 symbol has 21 modules
    assert large.size[0] == 3 * (21 + 8)


@pytest.mark.parametrize(
    ("text", "options"),
    [("SC1:ABC", {"ec": "L"}), ("sc1:abc", {}), ("SC1:ABC", {"scale": 0})],
    ids=["level L", "outside the alphanumeric set", "zero scale"],
)
def test_settings_that_break_the_spec_are_refused(text: str, options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        qr_png(text, **options)  # type: ignore[arg-type]


def test_a_qr_code_can_be_read_from_a_file_bytes_or_an_image(tmp_path: Path) -> None:
    png = qr_png("SC1:ABC")
    path = tmp_path / "card.png"
    path.write_bytes(png)
    assert read_qr(path) == read_qr(str(path)) == read_qr(png) == ["SC1:ABC"]
    assert read_qr(Image.open(path)) == ["SC1:ABC"]


def test_an_image_without_a_qr_code_reads_as_nothing() -> None:
    blank = io.BytesIO()
    Image.new("L", (100, 100), 255).save(blank, format="PNG")
    assert read_qr(blank.getvalue()) == []


def test_bytes_that_are_not_an_image_are_a_value_error() -> None:
    with pytest.raises(ValueError):
        read_qr(b"not a picture")


def test_an_image_too_large_to_be_a_card_is_a_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValueError):
        read_qr(qr_png("SC1:ABC"))


@pytest.mark.parametrize(("scale", "border"), [(1, 0), (3, 4), (8, 4), (8, 0)])
def test_the_png_has_exactly_the_pixels_of_the_symbol_drawn_at_that_scale(
    signer: SoftwareSigner, scale: int, border: int
) -> None:
    text = encode(make_payload(), signer)
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    drawn = Image.fromarray(symbol.to_image(scale=scale, add_quiet_zones=False))
    expected = Image.new("L", (drawn.width + 2 * border * scale,) * 2, 255)
    expected.paste(drawn, (border * scale, border * scale))
    png = Image.open(io.BytesIO(qr_png(text, scale=scale, border=border)))
    assert png.mode == "1"
    assert png.convert("L").tobytes() == expected.tobytes()
