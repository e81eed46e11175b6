"""poppler's command-line tools on a PDF, optionally with fontconfig pointed at no fonts at all."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

_MISSING = shutil.which("pdftoppm") is None or shutil.which("pdffonts") is None
if _MISSING and os.environ.get("OPCERT_REQUIRE_POPPLER"):  # CI: these must run, not skip
    raise RuntimeError("poppler-utils is not installed (make fonts installs it)")
needs_poppler = pytest.mark.skipif(
    _MISSING, reason="poppler-utils is not installed (make fonts installs it)"
)


def no_fonts_config(folder: Path) -> Path:
    """A fontconfig file whose only font directory is empty: a machine without any font."""
    empty = folder / "no-fonts"
    empty.mkdir(exist_ok=True)
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{empty}</dir><cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return config


def run(tool: str, pdf: Path, *args: str, fonts: Path | None = None) -> str:
    env = dict(os.environ)
    if fonts is not None:
        env["FONTCONFIG_FILE"] = str(fonts)
    done = subprocess.run(
        [tool, *args, str(pdf), "-"] if tool != "pdffonts" else [tool, str(pdf)],
        check=True,
        capture_output=True,
        env=env,
    )
    return done.stdout.decode("utf-8")


def render(pdf: Path, dpi: int, fonts: Path | None = None) -> Image.Image:
    """The first page as pdftoppm draws it at `dpi` (with `fonts` as the fontconfig file)."""
    env = dict(os.environ)
    if fonts is not None:
        env["FONTCONFIG_FILE"] = str(fonts)
    stem = pdf.with_suffix("")
    out = Path(f"{stem}-{dpi}-{'nofonts' if fonts else 'system'}")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(out)],
        check=True,
        capture_output=True,
        env=env,
    )
    with Image.open(f"{out}.png") as image:
        return image.convert("RGB")


def embedded(pdffonts_output: str) -> list[tuple[str, str]]:
    """(font name, the ``emb`` column) for each font `pdffonts` lists."""
    rows = pdffonts_output.splitlines()[2:]
    found = []
    for row in rows:
        fields = row.split()
        # name type [type...] encoding emb sub uni object-id generation
        found.append((fields[0], fields[-5]))
    return found
