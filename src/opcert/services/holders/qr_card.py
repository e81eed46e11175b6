"""The holder's QR page (出示二维码): the certificate's state and, only while it is valid, its
current credential as an inline SVG QR code, so the page needs no further fetch and reopens
offline from a kept copy."""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from PIL import Image

from opcert.domain.errors import NotFound
from opcert.services.holders.certificates import my_certificates
from opcert.services.kernel.context import ServiceContext
from opcert.services.verification.query import current_credential

QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)
_DARK = 128


@dataclass(frozen=True)
class QrSvg:
    size: int  # modules across, quiet zone included: the viewBox
    path: str  # one SVG path of the dark modules, row runs merged


@dataclass(frozen=True)
class QrCard:
    number: str
    item: str
    item_name: str
    name: str
    status: str
    status_label: str
    status_label_en: str
    valid_to: str
    qr: QrSvg | None  # None: the certificate is not valid, no pass is shown


def qr_svg(text: str) -> QrSvg:
    """The QR code of ``text`` (level Q, as the PNG) as a path of unit squares."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    modules = Image.fromarray(barcode.to_image(scale=1, add_quiet_zones=False)).convert("L")
    width, height = modules.size
    data = modules.tobytes()  # one byte per module, row after row
    runs = [
        f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{length}v1h-{length}z"
        for y in range(height)
        for start, length in _dark_runs(data[y * width : (y + 1) * width])
    ]
    return QrSvg(width + 2 * QUIET_ZONE, "".join(runs))


def _dark_runs(row: bytes) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in one row."""
    runs, start = [], None
    for x, value in enumerate([*row, 255]):
        if value < _DARK and start is None:
            start = x
        elif value >= _DARK and start is not None:
            runs.append((start, x - start))
            start = None
    return runs


def qr_card(ctx: ServiceContext, id_number: str, number: str, item: str) -> QrCard:
    """The holder's own certificate ``number``/``item`` for the QR page; ``NotFound`` for one
    that is not theirs (the same answer as for none at all)."""
    wanted = (number.strip().upper(), item.strip())
    for cert in my_certificates(ctx, id_number):
        if (cert["number"], cert["item"]) == wanted:
            valid = cert["status"] == "valid"
            return QrCard(
                cert["number"],
                cert["item"],
                cert.get("item_name") or "",
                cert["name"],
                cert["status"],
                cert["status_label"],
                cert["status_label_en"],
                cert["valid_to"],
                qr_svg(current_credential(ctx, *wanted)) if valid else None,
            )
    raise NotFound("CERTIFICATE_UNKNOWN", "没有这本证书", "no such certificate of yours")
