"""Verification from a photo of a certificate or of its QR code: read the QR, then verify online."""

from __future__ import annotations

from typing import Any

from opcert.credential.qr import read_qr
from opcert.domain.errors import FieldError
from opcert.services.context import ServiceContext
from opcert.services.verification import verify_online

MAX_PHOTO = 10 * 1024 * 1024


def verify_photo(ctx: ServiceContext, photo: bytes) -> dict[str, Any]:
    """Raises FieldError("photo", ...) when the file is not an image or holds no readable QR."""
    if not photo:
        raise FieldError("photo", "REQUIRED", "请选择照片", "choose a photo")
    if len(photo) > MAX_PHOTO:
        raise FieldError("photo", "TOO_LARGE", "照片不能超过 10MB", "the photo is over 10 MB")
    try:
        texts = read_qr(photo)
    except ValueError:
        raise FieldError("photo", "NOT_IMAGE", "文件不是图片", "the file is not an image") from None
    payloads = [t for t in texts if t.startswith("SC1:")] or texts
    if not payloads:
        raise FieldError(
            "photo",
            "NO_QR",
            "照片中没有找到二维码，请拍清楚证书上的二维码再试",
            "no QR code found in the photo; take a sharper picture of the QR code",
        )
    return verify_online(ctx, payloads[0])
