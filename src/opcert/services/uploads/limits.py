"""The limits on an uploaded file and the errors a person reads when one is passed.

Every number here is checked before the costly step it protects: bytes while the upload is
read, the zip directory of an .xlsx before openpyxl opens it, an image's header before its
pixels are decoded, rows and cells while a sheet is read, and wall time and memory around the
child process that does the reading (``worker``).
"""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.errors import DomainError, FieldError

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """Hard limits on one uploaded file. The defaults serve the upload page and the CLI alike
    (both submit a sheet in batches of what one request may carry: ``intake.files.submit_file``)."""

    max_bytes: int = 10 * MB
    max_rows: int = 20_000
    max_cells: int = 400_000
    max_unzipped_bytes: int = 100 * MB  # sum of the declared sizes of an .xlsx's members
    max_ratio: int = 100  # declared size / compressed size of one member above 1 MB
    max_members: int = 1_000
    max_pixels: int = 40_000_000  # a 12-megapixel phone photo fits three times over
    seconds: float = 20.0  # wall time of the child process, which is killed after it
    memory_bytes: int = 1024 * MB  # address space the child may add to what it starts with


SHEET_LIMITS = UploadLimits()
PHOTO_LIMITS = UploadLimits(max_bytes=10 * MB)
REVIEW_PHOTO_LIMITS = UploadLimits(max_bytes=5 * MB)


class UploadTooLarge(FieldError):
    """The upload is over its byte limit: refused before it is parsed (HTTP 413)."""


class UploadBusy(DomainError):
    """Every file reader of this process is taken and the queue is full (HTTP 503)."""

    def __init__(self) -> None:
        super().__init__(
            "UPLOAD_BUSY",
            "服务器正在处理其他文件，请稍后再试",
            "the server is reading other files; try again shortly",
        )


def size_text(count: int) -> str:
    if count % MB == 0:
        return f"{count // MB} MB"
    return f"{count / MB:.1f} MB" if count >= MB else f"{count:,} 字节"


def too_large(field: str, limit: int) -> UploadTooLarge:
    noun_zh, noun_en = _nouns(field)
    return UploadTooLarge(
        field,
        f"{field.upper()}_TOO_LARGE",
        f"{noun_zh}超过 {size_text(limit)} 的上限，未读取",
        f"the {noun_en} is over the {size_text(limit).replace('字节', 'bytes')} limit; "
        "it was not read",
    )


def refused(field: str, code: str, zh: str, en: str) -> FieldError:
    return FieldError(field, code, zh, en)


def _nouns(field: str) -> tuple[str, str]:
    return ("照片", "photo") if field == "photo" else ("文件", "file")
