"""QR codes for SC1 strings (spec section 1), written and read with zxing-cpp.

An SC1 string uses only the QR alphanumeric character set, so the encoder
picks alphanumeric mode (11 bits per 2 characters instead of 16); `qr_png`
refuses other text unless told otherwise, so the guarantee holds.
"""

from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from opcert.credential.base45_codec import ALPHABET

QR_ALPHANUMERIC = frozenset(ALPHABET)  # Base45's alphabet is exactly the QR one
# The spec asks for M or higher (Q for printed cards); L is refused.
ERROR_CORRECTION_LEVELS = ("M", "Q", "H")
_WHITE = 255


def is_qr_alphanumeric(text: str) -> bool:
    """True if every character of `text` is in the QR alphanumeric set."""
    return QR_ALPHANUMERIC.issuperset(text)


def qr_png(
    text: str, *, ec: str = "Q", scale: int = 8, border: int = 4, require_alphanumeric: bool = True
) -> bytes:
    """A PNG of the QR code holding `text`.

    `scale` is pixels per module, `border` the quiet zone in modules. Raises
    ValueError for an error correction level other than M, Q or H, a scale
    below 1, a negative border, text too long for a QR code at that level,
    or (unless `require_alphanumeric` is False) text outside the QR
    alphanumeric set.
    """
    if ec not in ERROR_CORRECTION_LEVELS:
        raise ValueError(f"error correction level must be one of {ERROR_CORRECTION_LEVELS}")
    if scale < 1 or border < 0:
        raise ValueError("scale must be at least 1 and border not negative")
    if require_alphanumeric and not is_qr_alphanumeric(text):
        raise ValueError("text outside the QR alphanumeric set")
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ec)
    # One pixel per module, then a nearest-neighbour enlargement: the same pixels as drawing
    # at `scale` directly, in a twentieth of the time. PNG's `optimize` would spend three
    # times the rest of this function to save about 7% of 2.5 KB, so it is not used.
    modules = Image.fromarray(barcode.to_image(scale=1, add_quiet_zones=False))
    image = ImageOps.expand(modules, border=border, fill=_WHITE).convert("1")
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def read_qr(image: Image.Image | str | Path | bytes) -> list[str]:
    """The texts of all QR codes found in `image` (a PIL image, a file path or image bytes).

    Returns an empty list when no QR code can be read; raises ValueError if
    the bytes or the file are not an image, FileNotFoundError for a missing file.
    """
    picture = _open(image)
    if picture.mode not in ("L", "RGB"):
        picture = picture.convert("L")
    results = zxingcpp.read_barcodes(
        picture,
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
        text_mode=zxingcpp.TextMode.Plain,
    )
    return [result.text for result in results if result.valid]


def _open(image: Image.Image | str | Path | bytes) -> Image.Image:
    if isinstance(image, Image.Image):
        return image
    try:
        source = io.BytesIO(image) if isinstance(image, bytes) else Path(image)
        with Image.open(source) as opened:
            opened.load()
            return opened.copy()
    except FileNotFoundError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValueError(f"not a readable image: {exc}") from None
