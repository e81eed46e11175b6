"""Strict base64url (RFC 4648 section 5) without padding, as JOSE uses it."""

from __future__ import annotations

import base64
import binascii
import re

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """Encode `data` as base64url without `=` padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded (or correctly padded) base64url.

    Raises ValueError for any character outside the base64url alphabet, for an
    impossible length, or for non-zero trailing bits, so that one byte string
    has exactly one accepted spelling.
    """
    if not isinstance(text, str):
        raise ValueError("base64url input must be text")
    unpadded = text.rstrip("=")
    padding = len(text) - len(unpadded)
    if not _BASE64URL.fullmatch(unpadded) or len(unpadded) % 4 == 1:
        raise ValueError("not base64url")
    if padding and (len(text) % 4 != 0 or padding > 2):
        raise ValueError("wrong base64url padding")
    try:
        data = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except binascii.Error as exc:  # pragma: no cover - excluded by the checks above
        raise ValueError("not base64url") from exc
    if b64url_encode(data) != unpadded:
        raise ValueError("non-canonical base64url (trailing bits set)")
    return data
