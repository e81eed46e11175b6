"""Files an attacker (or an unlucky clerk) uploads: built here, small on disk, costly to read."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int) -> bytes:
    """The signature and IHDR of a greyscale PNG of ``width`` × ``height``, then a few bytes of
    image data that are not even zlib: a reader that decoded pixels before checking the size
    would fail on them instead."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"not zlib")


def png_of_size(width: int, height: int) -> bytes:
    """A complete, valid grey PNG, compressed row by row (it never exists whole in memory):
    12,000 × 12,000 is 144 megapixels in about 140 KB."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    return png + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def xlsx_with_sheet(sheet_xml: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook saved by openpyxl, with its first sheet's XML replaced and members added."""
    book = Workbook()
    book.active.append(["ref"])
    saved = io.BytesIO()
    book.save(saved)
    source = zipfile.ZipFile(io.BytesIO(saved.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET and sheet_xml is not None:
                data = sheet_xml
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def zip_bomb_xlsx(megabytes: int = 50) -> bytes:
    """A workbook whose sheet inflates from about ``megabytes`` KB to ``megabytes`` MB."""
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(xlsx_with_sheet()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in base.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, base.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode() + b"<sheetData>")
            padding = b" " * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(padding)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def wide_sheet_xlsx(rows: int, columns: int) -> bytes:
    """A sheet of ``rows`` × ``columns`` distinct numbers: it compresses like real data (well
    under the ratio limit) and takes openpyxl seconds to read."""
    parts = [_SHEET_HEAD, "<sheetData>"]
    value = 1
    for r in range(1, rows + 1):
        cells = []
        for _ in range(columns):
            value = (value * 48271) % 2147483647
            cells.append(f"<c><v>{value}</v></c>")
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    parts.append("</sheetData></worksheet>")
    return xlsx_with_sheet("".join(parts).encode())


def forged_dimension_xlsx(rows: int = 30) -> bytes:
    """A header and ``rows`` one-cell rows under a declared dimension of the whole 16,384 ×
    1,048,576 grid: a reader that trusted it would pad each row to 16,384 cells."""
    body = "".join(
        f'<row r="{n}"><c t="inlineStr"><is><t>R-{n}</t></is></c></row>' for n in range(2, rows + 2)
    )
    xml = (
        _SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c t="inlineStr"><is><t>ref</t></is></c></row>'
        f"{body}</sheetData></worksheet>"
    )
    return xlsx_with_sheet(xml.encode())


def sheet_of_numbers(header: list[str], row: list[str]) -> bytes:
    """A sheet whose second row holds numeric cells written as the literal digits (as some
    tools do; Excel and openpyxl write 15 or 16 significant digits)."""
    head = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in header)
    cells = "".join(
        f"<c><v>{value}</v></c>"
        if value.isdigit()
        else f'<c t="inlineStr"><is><t>{value}</t></is></c>'
        for value in row
    )
    xml = (
        _SHEET_HEAD
        + f'<sheetData><row r="1">{head}</row><row r="2">{cells}</row></sheetData></worksheet>'
    )
    return xlsx_with_sheet(xml.encode())
