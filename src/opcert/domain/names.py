"""The one rule for a person's name, wherever a name enters the platform.

A name on a certificate is what the resident ID card (or passport) says. It may hold:

- Han characters: the CJK unified ideographs and their extensions A to I, and the compatibility
  ideographs that NFC leaves as they are (a few, such as U+FA11, are unified ideographs that
  only live in that block);
- the middle dot ``·`` (U+00B7) between the parts of a minority or foreign name
  (阿依古丽·买买提). The look-alikes people type instead (``•`` ``・`` ``.`` ``‧`` ``･`` ``．``)
  become ``·``;
- Latin letters, accented ones included, and single spaces, for foreign and minority names
  written in Latin script (Nguyễn Thị Minh Khai).

Nothing else: no digits, emoji, punctuation, control, bidirectional or zero-width characters, so
no formula-leading ``=`` ``+`` ``-`` ``@`` either. The text is NFC-normalised first, spaces
(including the ideographic and no-break spaces) are trimmed and collapsed to one, and spaces
next to a middle dot are dropped. At most ``MAX_NAME`` characters, as the database column.

``PersonName`` is the only way to this rule: intake, correction (更正), the public query, the
holder's real-name login, officer search, fake reports and the legacy import all build one, so a
name one path accepts every path accepts, stored and compared as the same text. The rule is
idempotent: a ``PersonName``'s text passes through it unchanged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from opcert.domain.errors import FieldError

MAX_NAME = 50
MIDDLE_DOT = "\u00b7"
# What people type for the middle dot: bullet, katakana middle dot, full stop, hyphenation point,
# halfwidth katakana middle dot, fullwidth full stop, the dot operator / bullet operator, the small
# full stop, the one dot leader, the word separator middle dot, the Latin sinological dot and the
# Hangul araea (what a Korean input method gives for a middle dot).
DOT_LOOKALIKES = frozenset(
    "\u2022\u30fb.\u2027\uff65\uff0e\u22c5\u2219\ufe52\u2024\u2e31\ua78f\u318d"
)
SPACES = frozenset(" \u3000\u00a0")
HAN_RANGES = (
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs (what NFC leaves of them)
    (0x20000, 0x2A6DF),  # extension B
    (0x2A700, 0x2EE5F),  # extensions C, D, E, F, I
    (0x2F800, 0x2FA1F),  # compatibility ideographs supplement (what NFC leaves)
    (0x30000, 0x323AF),  # extensions G, H
)
LATIN_RANGES = (
    (0x0041, 0x005A),
    (0x0061, 0x007A),
    (0x00C0, 0x024F),  # Latin-1 letters, Latin Extended-A and -B (× and ÷ excluded below)
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
)
NOT_LETTERS = frozenset("\u00d7\u00f7")


def is_han(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in HAN_RANGES)


def is_latin_letter(char: str) -> bool:
    code = ord(char)
    if char in NOT_LETTERS or not any(low <= code <= high for low, high in LATIN_RANGES):
        return False
    return unicodedata.category(char).startswith("L")


def describe(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how an error shows a character that may be invisible."""
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} {name}" if name else code


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name under the one rule. ``PersonName(text)`` normalises ``text`` (or raises
    ``FieldError`` on ``name``); ``PersonName.parse(value, field)`` names the field in the error
    and takes any cell value (a number or ``None`` is refused as an empty name)."""

    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _normalised(self.text, "name"))

    @classmethod
    def parse(cls, value: object, field: str = "name") -> PersonName:
        return cls(_normalised(value, field))

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> str:
        """The name as it is matched: without its middle dots, so 阿依古丽买买提 (written with no
        separator) finds 阿依古丽·买买提. Only the dots go; the characters and their order stay."""
        return name_key(self.text)


def name_key(text: str) -> str:
    """A normalised name (``PersonName.text``) as it is matched: its middle dots dropped."""
    return text.replace(MIDDLE_DOT, "")


def _normalised(value: object, field: str) -> str:
    """The name as the platform stores and compares it; raises ``FieldError`` on ``field``.

    Codes: ``NAME_EMPTY``, ``NAME_TOO_LONG``, ``NAME_HAS_DIGITS``, ``NAME_CHARACTER`` (a character
    outside the rule, named as U+XXXX) and ``NAME_SEPARATOR`` (a middle dot at either end or two
    in a row).
    """
    if not isinstance(value, str):
        raise _empty(field)
    text = unicodedata.normalize("NFC", value)
    chars: list[str] = []
    for char in text:
        kept = _kept(char)
        if kept is None:
            # NFKC where it is safe: a full-width letter, a Kangxi radical, a compatibility form
            # of a dot, when what it stands for is itself a letter or the dot (not a space: the
            # spaces a name may hold are SPACES only).
            kept = "".join(_kept(c) or "\0" for c in unicodedata.normalize("NFKC", char))
            if not kept or "\0" in kept or " " in kept:
                raise _refused(field, char)
        chars.append(kept)
    # Only U+0020 is left as white space: collapse its runs, trim both ends.
    name = " ".join("".join(chars).split())
    name = name.replace(" " + MIDDLE_DOT, MIDDLE_DOT).replace(MIDDLE_DOT + " ", MIDDLE_DOT)
    if not name:
        raise _empty(field)
    if name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in name:
        raise FieldError(
            field,
            "NAME_SEPARATOR",
            "姓名中的间隔号「·」只能出现在两部分之间，且不能连用",
            "the middle dot '·' may only stand between two parts of the name, once",
        )
    if len(name) > MAX_NAME:
        raise FieldError(
            field,
            "NAME_TOO_LONG",
            f"姓名不能超过 {MAX_NAME} 个字符（现为 {len(name)} 个）",
            f"the name is longer than {MAX_NAME} characters ({len(name)})",
        )
    return name


def _kept(char: str) -> str | None:
    """What a character of a name becomes (a space, the middle dot, itself), or ``None``."""
    if char in SPACES:
        return " "
    if char in DOT_LOOKALIKES or char == MIDDLE_DOT:
        return MIDDLE_DOT
    if is_han(char) or is_latin_letter(char):
        return char
    return None


def _empty(field: str) -> FieldError:
    return FieldError(field, "NAME_EMPTY", "请填写姓名", "the name is required")


def _refused(field: str, char: str) -> FieldError:
    shown = describe(char)
    if unicodedata.category(char) == "Nd":
        return FieldError(
            field,
            "NAME_HAS_DIGITS",
            f"姓名不能包含数字（{shown}）",
            f"the name must not contain digits ({shown})",
        )
    return FieldError(
        field,
        "NAME_CHARACTER",
        f"姓名中不能含有字符 {shown}；姓名只能由汉字、间隔号「·」、拉丁字母和空格组成",
        f"the name must not contain {shown}; a name holds Han characters, the middle dot '·', "
        "Latin letters and spaces only",
    )
