"""Characters no input may carry, whatever the field: one rule for the API, the pages, the CLI
and imports.

Refused: NUL and every other C0/C1 control character and DEL (category Cc) except the three a
text area sends (tab, line feed, carriage return); the bidirectional controls (U+061C, U+200E,
U+200F, U+202A to U+202E, U+2066 to U+2069), which make a name read differently from what is
stored; the zero-width characters (U+200B to U+200D, U+2060, U+FEFF), which make two names look
the same; and lone surrogates (U+D800 to U+DFFF), which no encoder can write. PostgreSQL refuses
NUL in text, and the others are how a forged name hides.

Names are stricter still (``opcert.domain.names``): there even tab and line feed are refused.
"""

from __future__ import annotations

import unicodedata

from opcert.domain.errors import FieldError
from opcert.domain.names import describe

TEXT_AREA_CONTROLS = frozenset("\t\n\r")
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def is_unsafe(char: str) -> bool:
    if char in TEXT_AREA_CONTROLS:
        return False
    if char in BIDI_CONTROLS or char in ZERO_WIDTH:
        return True
    return unicodedata.category(char) in ("Cc", "Cs")


def first_unsafe(text: str) -> str | None:
    """The first refused character of ``text``, or None."""
    if text.isprintable():
        # The common case in one C loop: printable text has no Cc, Cs, or format characters.
        return None
    for char in text:
        if is_unsafe(char):
            return char
    return None


def check_text(text: str, field: str) -> str:
    """``text`` unchanged, or ``FieldError(field, "UNSAFE_CHARACTER")`` naming the character."""
    char = first_unsafe(text)
    if char is not None:
        raise unsafe_character(field, char)
    return text


def unsafe_character(field: str, char: str) -> FieldError:
    shown = describe(char)
    return FieldError(
        field,
        "UNSAFE_CHARACTER",
        f"「{field}」中含有不允许的字符 {shown}（控制字符、方向控制符、零宽字符或孤立代理项）",
        f"{field} holds the character {shown}, which is not allowed "
        "(a control, bidirectional, zero-width or lone surrogate character)",
    )
