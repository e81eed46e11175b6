"""The Chinese font every certificate PDF embeds: Noto Sans CJK SC, as a TrueType font.

Debian's ``fonts-noto-cjk`` (SIL Open Font License 1.1, which allows embedding) ships the font
as an OpenType collection with CFF outlines, which reportlab cannot embed. Once per machine the
Simplified Chinese face is converted to a TrueType font holding the characters a certificate
can need (Latin, punctuation, every CJK ideograph the face has, full-width forms), and kept in
a cache directory outside the repository (``OPCERT_FONT_CACHE``, by default
``~/.cache/opcert/fonts``). reportlab then embeds in each PDF only the glyphs it uses.

    .venv/bin/python -m opcert.documents.fonts      # prepare the font now (``make fonts``)
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from opcert.documents.font_build import FACE, build_ttf

FONT = "NotoSansCJKsc"
BUILD = "1"  # bump when font_build changes what it writes
SOURCES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
_lock = threading.Lock()
_registered = False


class FontMissing(RuntimeError):
    """No copy of Noto Sans CJK to build the embedded font from."""


def source_font() -> Path:
    """The installed Noto Sans CJK collection (``OPCERT_CJK_FONT`` overrides the search)."""
    override = os.environ.get("OPCERT_CJK_FONT")
    searched = [override] if override else list(SOURCES)
    for candidate in searched:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "找不到思源黑体（Noto Sans CJK）字体，无法生成证书 PDF：请运行 make fonts"
        "（安装 Debian 软件包 fonts-noto-cjk）/ Noto Sans CJK is not installed: run `make fonts`"
        f" (Debian package fonts-noto-cjk); looked in {', '.join(searched)}"
    )


def cache_dir() -> Path:
    configured = os.environ.get("OPCERT_FONT_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "opcert" / "fonts"


def prepared_font() -> Path:
    """The converted TrueType font, built first if this machine has none for this source."""
    source = source_font()
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{FACE}|{BUILD}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = cache_dir()
    target = folder / f"{FONT}-Regular-{digest}.ttf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    # One process builds; others (pytest-xdist workers, app servers) wait on the lock.
    with open(folder / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            handle, partial = tempfile.mkstemp(dir=folder, suffix=".partial")
            os.close(handle)
            try:
                build_ttf(source, Path(partial))
                os.chmod(partial, 0o644)
                os.replace(partial, target)
            finally:
                Path(partial).unlink(missing_ok=True)
    return target


def register() -> str:
    """Register the embedded font with reportlab once per process; returns its name."""
    global _registered
    with _lock:
        if not _registered:
            font = TTFont(FONT, str(prepared_font()))
            _zero_copy_glyphs(font)
            pdfmetrics.registerFont(font)
            _registered = True
    return FONT


def _zero_copy_glyphs(font: TTFont) -> None:
    """Let reportlab's per-document subsetting read the 9 MB ``glyf`` table without copying it.

    ``makeSubset`` takes ``get_table("glyf")`` (a bytes slice: a copy of the whole table for
    every PDF) and only slices single glyphs out of it; a memoryview slice gives the same bytes
    without the copy (about a tenth of the render time). The converted font has no composite
    glyphs, the one place reportlab would edit a glyph's bytes."""
    face = font.face
    whole = memoryview(face._ttf_data)
    table = face.get_table

    def get_table(tag: str) -> bytes | memoryview:
        if tag != "glyf":
            copied: bytes = table(tag)
            return copied
        start, length = face.get_table_pos(tag)
        return whole[start : start + length]

    face.get_table = get_table


if __name__ == "__main__":
    print(prepared_font())
