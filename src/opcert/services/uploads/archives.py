"""An .xlsx is a zip: its directory is checked before openpyxl reads any member.

Python's ``zipfile`` never returns more than a member's declared size (a member that inflates
further fails its CRC check), so the declared sizes read from the directory bound the work of
everything that reads the archive after this check.
"""

from __future__ import annotations

import io
import zipfile

from opcert.domain.errors import FieldError
from opcert.services.uploads.limits import MB, UploadLimits, size_text

RATIO_FLOOR = MB  # members smaller than this are not judged by their ratio


def check_archive(data: bytes, limits: UploadLimits, field: str = "file") -> None:
    """Raise FieldError when ``data`` is not a zip, has too many members, declares more than
    ``max_unzipped_bytes`` in all, or has a member above 1 MB that inflates more than
    ``max_ratio`` times (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FieldError(
            field,
            "XLSX_INVALID",
            "文件不是有效的 .xlsx 工作簿（请用 Excel 另存为 .xlsx 后重试）",
            "the file is not a valid .xlsx workbook (save it again as .xlsx in Excel)",
        ) from None
    if len(members) > limits.max_members:
        raise _bomb(
            field,
            f"含有 {len(members):,} 个部件，超过 {limits.max_members:,} 个的上限",
            f"holds {len(members):,} parts, over the {limits.max_members:,}-part limit",
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise _bomb(
            field,
            f"解压后为 {size_text(total)}，超过 {size_text(limits.max_unzipped_bytes)} 的上限",
            f"unzips to {total:,} bytes, over the {limits.max_unzipped_bytes:,}-byte limit",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            # The name is the sender's: shown printable and short.
            name = "".join(c for c in member.filename if c.isprintable())[:60]
            raise _bomb(
                field,
                f"中的 {name} 压缩比为 {ratio:.0f} 倍，超过 {limits.max_ratio} 倍的上限",
                f"its part {name} inflates {ratio:.0f} times, over the "
                f"{limits.max_ratio}-times limit",
            )


def _bomb(field: str, why_zh: str, why_en: str) -> FieldError:
    return FieldError(
        field,
        "XLSX_TOO_LARGE",
        f"工作簿{why_zh}，可能是压缩炸弹，未读取",
        f"the workbook {why_en}; it may be a zip bomb and was not read",
    )
