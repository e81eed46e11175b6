"""The embedded font: built once from Debian's Noto Sans CJK, covering what names need."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from opcert.documents import fonts
from opcert.documents.font_build import wanted


def test_the_prepared_font_is_truetype_and_maps_the_characters_of_real_names():
    font = TTFont(fonts.prepared_font())
    assert "glyf" in font and "CFF " not in font
    cmap = font.getBestCmap()
    # 阿卜杜·热合曼 with U+00B7; 喆 堃 昇 are common in given names; 〇 in dates; ａ full width.
    for char in "阿卜杜·热合曼喆堃昇〇—ａ•・":
        assert ord(char) in cmap, char
    assert len(cmap) > 30_000
    assert "SIL Open Font License" in font["name"].getDebugName(13)
    assert font["OS/2"].fsType == 0  # installable: embedding allowed


def test_the_prepared_font_is_built_once_and_then_reused():
    first = fonts.prepared_font()
    modified = first.stat().st_mtime_ns
    assert fonts.prepared_font() == first
    assert first.stat().st_mtime_ns == modified


def test_hangul_is_left_out_but_every_cjk_ideograph_block_is_kept():
    assert not wanted(ord("한"))
    assert all(wanted(code) for code in (0x3400, 0x4E00, 0x9FA5, 0xF900, 0x20000, 0x00B7))


def test_without_noto_sans_cjk_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("OPCERT_CJK_FONT", str(tmp_path / "missing.ttc"))
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        fonts.source_font()
