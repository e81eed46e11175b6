"""PNG images on a reportlab canvas, with a fast path for black-and-white ones (QR codes).

reportlab's `drawImage` turns every image into 8-bit RGB, hashes it, deflates it and then
ASCII85-encodes it in pure Python: for a QR code printed at 8 pixels per module that is three
quarters of the time of a whole certificate. A bilevel image (PIL mode "1", which is what
`opcert.credential.qr.qr_png` writes) is embedded here as what it is: a 1-bit DeviceGray image
of the same pixels, deflated, not ASCII85-encoded. The page looks the same, pixel for pixel.
"""

from __future__ import annotations

import hashlib
import io
import zlib

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfgen.canvas import Canvas

_BILEVEL = "1"


def draw_png(canvas: Canvas, png: bytes, x: float, y: float, width: float, height: float) -> None:
    """Draw the PNG `png` stretched to the box (x, y, width, height), in points.

    A bilevel PNG takes the fast path; any other image goes through `Canvas.drawImage`.
    Raises PIL's UnidentifiedImageError (an OSError) if `png` is not an image.
    """
    with Image.open(io.BytesIO(png)) as image:
        if image.mode != _BILEVEL:
            canvas.drawImage(ImageReader(io.BytesIO(png)), x, y, width, height)
            return
        # PIL packs mode "1" as PDF does: 8 pixels a byte, most significant bit first,
        # each row padded to a whole byte, 1 for white and 0 for black.
        packed = image.tobytes()
        pixels_wide, pixels_high = image.size
    name = "bilevel" + hashlib.sha256(packed).hexdigest()[:24]
    _register(canvas, name, pixels_wide, pixels_high, packed)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{canvas._doc.getXObjectName(name)} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)


def _register(canvas: Canvas, name: str, width: int, height: int, packed: bytes) -> None:
    # The same steps as Canvas.drawImage takes for a new image, with our own stream.
    canvas._currentPageHasImages = 1
    document = canvas._doc
    registered_name = document.getXObjectName(name)
    if document.idToObject.get(registered_name) is not None:
        return
    xobject = PDFImageXObject(name)
    xobject.width, xobject.height = width, height
    xobject.bitsPerComponent = 1
    xobject.colorSpace = "DeviceGray"
    xobject._filters = ("FlateDecode",)
    xobject.streamContent = zlib.compress(packed)
    xobject.mask = None
    canvas._setXObjects(xobject)
    document.Reference(xobject, registered_name)
    document.addForm(name, xobject)
