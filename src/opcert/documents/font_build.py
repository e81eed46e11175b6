"""Convert the Simplified Chinese face of an OpenType/CFF collection into a TrueType font.

reportlab embeds only TrueType (``glyf``) outlines, so each cubic CFF outline is approximated by
quadratic curves (fontTools' cu2qu, within 1 font unit of 1000 per em: far below a printer dot).
Only the characters a certificate can need are kept; layout tables (GSUB/GPOS), vertical
metrics and hinting are dropped, the names, copyright and licence are carried over.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont

FACE = "Noto Sans CJK SC"
# Latin with pinyin tones, general punctuation (incl. • U+2022), letterlike symbols, arrows,
# enclosed numbers, CJK punctuation and kana (incl. ・ U+30FB), CJK ideographs (Ext. A, URO,
# compatibility, the supplementary planes), vertical and full-width forms. The middle dot
# U+00B7 of minority names (阿卜杜·热合曼) is in the first range.
RANGES = (
    (0x0020, 0x024F),
    (0x2000, 0x206F),
    (0x2100, 0x21FF),
    (0x2460, 0x24FF),
    (0x3000, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x2FFFF),
)
_NAMES = {0: "copyright", 7: "trademark", 8: "manufacturer", 11: "vendorURL"}
_LICENCE = {13: "licenseDescription", 14: "licenseInfoURL"}


def face(collection: Path, family: str = FACE) -> TTFont:
    """The face of `collection` whose family name is `family`; KeyError when there is none."""
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise KeyError(f"{collection} has no face {family!r}")


def wanted(code: int) -> bool:
    return any(low <= code <= high for low, high in RANGES)


def build_ttf(collection: Path, target: Path) -> None:
    """Write to `target` the TrueType conversion of the `FACE` face of `collection`."""
    source = face(collection)
    cmap = {code: glyph for code, glyph in source.getBestCmap().items() if wanted(code)}
    glyph_ids = source.getReverseGlyphMap()
    order = [".notdef", *sorted(set(cmap.values()) - {".notdef"}, key=glyph_ids.__getitem__)]
    glyph_set = source.getGlyphSet()
    outlines = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        outlines[name] = pen.glyph()
    builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(cmap)
    builder.setupGlyf(outlines)
    glyf = builder.font["glyf"]
    advances = source["hmtx"].metrics
    builder.setupHorizontalMetrics(
        {name: (advances[name][0], getattr(glyf[name], "xMin", 0)) for name in order}
    )
    hhea = source["hhea"]
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    _names(builder, source)
    _os2(builder, source)
    builder.setupPost()
    builder.save(str(target))


def _names(builder: FontBuilder, source: TTFont) -> None:
    table = source["name"]
    names = {"familyName": FACE, "styleName": "Regular"}
    for name_id, key in {**_NAMES, **_LICENCE}.items():
        text = table.getDebugName(name_id)
        if text:
            names[key] = text
    names["psName"] = table.getDebugName(6) or "NotoSansCJKsc-Regular"
    names["uniqueFontIdentifier"] = f"{names['psName']} (TrueType conversion for opcert)"
    builder.setupNameTable(names)


def _os2(builder: FontBuilder, source: TTFont) -> None:
    os2 = source["OS/2"]
    fields = [
        "usWeightClass",
        "usWidthClass",
        "fsType",
        "sTypoAscender",
        "sTypoDescender",
        "sTypoLineGap",
        "usWinAscent",
        "usWinDescent",
        "sxHeight",
        "sCapHeight",
        "achVendID",
        "fsSelection",
    ]
    builder.setupOS2(**{field: getattr(os2, field) for field in fields if hasattr(os2, field)})
