"""Images from strangers: the size is read from the header and refused above the pixel limit
before a single pixel is decoded; only JPEG, PNG and WebP are opened at all (no plugin that
calls out to another program). The jobs here run in the child process (``worker``)."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from opcert.credential.qr import read_qr
from opcert.domain.errors import FieldError
from opcert.services.uploads.limits import UploadLimits

FORMATS = ("JPEG", "PNG", "WEBP")
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Pillow's own bomb check stays on as a second line; ours refuses far below it.
_UNREADABLE = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    OSError,
    SyntaxError,
    ValueError,
)


def open_header(data: bytes, limits: UploadLimits, field: str = "photo") -> Image.Image:
    """The image with only its header read (``Image.open`` is lazy). Raises FieldError when the
    bytes are not a JPEG, PNG or WebP image, or when width × height is over ``max_pixels``."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise _too_many_pixels(field, None, limits) from None
    except _UNREADABLE:
        raise FieldError(
            field,
            "NOT_IMAGE",
            "文件不是图片（只接受 JPEG、PNG 或 WebP 格式）",
            "the file is not an image (JPEG, PNG or WebP only)",
        ) from None
    width, height = image.size
    if width * height > limits.max_pixels:
        raise _too_many_pixels(field, (width, height), limits)
    return image


def decoded(data: bytes, limits: UploadLimits, field: str = "photo") -> Image.Image:
    """The image decoded, after ``open_header``'s checks; FieldError if its data is damaged."""
    image = open_header(data, limits, field)
    try:
        image.load()
    except _UNREADABLE:
        raise FieldError(
            field, "IMAGE_DAMAGED", "图片已损坏，无法显示", "the image is damaged"
        ) from None
    return image


def qr_texts(data: bytes, limits: UploadLimits) -> list[str]:
    """Job: the texts of the QR codes in a photo."""
    return read_qr(decoded(data, limits))


def photo_media_type(data: bytes, limits: UploadLimits) -> str:
    """Job: the media type of a photo that decodes within the limits, from its content (never
    from the type the browser claimed)."""
    image = decoded(data, limits)
    return MEDIA_TYPES[str(image.format)]


def _too_many_pixels(field: str, size: tuple[int, int] | None, limits: UploadLimits) -> FieldError:
    megapixels = f"{limits.max_pixels / 1_000_000:g}"
    zh = f"为 {size[0]}×{size[1]} 像素，" if size else ""
    en = f" is {size[0]}×{size[1]} pixels," if size else " is"
    return FieldError(
        field,
        "TOO_MANY_PIXELS",
        f"图片{zh}超过 {megapixels} 百万像素的上限，未读取；请缩小后再上传",
        f"the image{en} over the {megapixels}-megapixel limit; it was not read",
    )
