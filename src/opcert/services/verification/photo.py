"""Verification from a photo of a certificate or of its QR code: read the QR, then verify online.

The photo is read in a child process under ``PHOTO_LIMITS`` (bytes, pixels read from the header
before decoding, time, memory): see ``services.uploads``.
"""

from __future__ import annotations

from typing import Any

from opcert.domain.errors import FieldError
from opcert.services.kernel.context import ServiceContext
from opcert.services.uploads.limits import PHOTO_LIMITS, UploadLimits, too_large
from opcert.services.uploads.worker import run_isolated
from opcert.services.verification.online import verify_online

MAX_PHOTO = PHOTO_LIMITS.max_bytes


def verify_photo(
    ctx: ServiceContext, photo: bytes, limits: UploadLimits = PHOTO_LIMITS
) -> dict[str, Any]:
    """Raises FieldError("photo", ...) when the file is not an image, is over a limit or holds
    no readable QR (``UploadTooLarge`` over the byte limit)."""
    if not photo:
        raise FieldError("photo", "REQUIRED", "请选择照片", "choose a photo")
    if len(photo) > limits.max_bytes:
        raise too_large("photo", limits.max_bytes)
    texts: list[str] = run_isolated("qr", "", photo, field="photo", limits=limits)
    payloads = [t for t in texts if t.startswith("SC1:")] or texts
    if not payloads:
        raise FieldError(
            "photo",
            "NO_QR",
            "照片中没有找到二维码，请拍清楚证书上的二维码再试",
            "no QR code found in the photo; take a sharper picture of the QR code",
        )
    return verify_online(ctx, payloads[0])
