"""Citizen identity numbers of GB 11643-1999 (公民身份号码).

18 characters: a 6-digit address code (GB/T 2260 division), an 8-digit birth
date, a 3-digit sequence whose last digit is odd for men and even for women,
and an ISO 7064 MOD 11-2 check character (0-9 or X). The check digit and the
birth date come from python-stdnum; its ``validate`` is deliberately not used
as the gate, because it also demands that the county code was in use in the
birth year and so rejects real numbers, the standard's own example
``440524188001010014`` among them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from opcert.domain.divisions import (
    PROVINCE_CODES,
    division_name,
    is_known_division,
    province_name,
)
from opcert.domain.errors import FieldError

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "ResidentId",
    "Sex",
    "certificate_number_id",
    "division_name",
    "has_id_shape",
    "normalise_id_text",
    "parse_resident_id",
    "upgrade_15_digit",
]

# The standard's own Appendix A example is born in 1880, so the floor cannot
# be 1900; 1850 still catches a mistyped century such as 1049 or 0949.
EARLIEST_BIRTH_DATE = date(1850, 1, 1)

_FORM_18 = re.compile(r"[0-9]{17}[0-9X]")
_FORM_15 = re.compile(r"[0-9]{15}")
# What Excel shows for an 18-digit number it has cut to 15 significant digits: 4.40402199005171E+17.
_EXCEL_NUMBER = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]+")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# The prefixes of the certificate numbers (domain.certificates.NUMBER_PREFIXES: T SO, A SM).
CERTIFICATE_PREFIXES = ("T", "A")
# Hyphens and dashes (NFKC has made U+FF0D a "-" already) and zero-width characters.
_DROPPED_IN_IDS = dict.fromkeys(
    map(
        ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\u200b\u200c\u200d\u2060\ufeff"
    )
)


class Sex(IntEnum):
    """Sex as coded by GB/T 2261.1."""

    MALE = 1
    FEMALE = 2

    @property
    def label_zh(self) -> str:
        """男 or 女."""
        return "男" if self is Sex.MALE else "女"


@dataclass(frozen=True)
class ResidentId:
    """A well-formed, checksum-valid resident ID number and what it encodes.

    ``division_known`` is False when the address code is not in the division
    database; such a number is accepted and should be flagged for review.
    """

    number: str
    birth_date: date
    sex: Sex
    division: str
    division_known: bool
    province: str

    @property
    def division_name(self) -> str | None:
        """Chinese name of the address code, as it was called in the birth year
        where the database knows that; ``None`` when the code is unknown."""
        return division_name(self.division, year=self.birth_date.year)

    @property
    def province_name(self) -> str | None:
        """Chinese name of the province-level division."""
        return province_name(self.division)

    def masked(self) -> str:
        """The number with the birth date and sequence hidden, for public pages."""
        return self.number[:6] + "*" * 8 + self.number[14:]

    def __str__(self) -> str:
        return self.number


def normalise_id_text(text: str) -> str:
    """Upper-case the number and drop what people put between its digits: every kind of white
    space (the ideographic space U+3000 included), hyphens and dashes (``4405-2418...``), and
    the invisible zero-width characters a copy from a web page or a chat brings along.

    NFKC first, so full-width digits and the full-width X and space that Chinese input methods
    produce are read as their ASCII forms. Nothing that is left is dropped: a letter, a dot or a
    look-alike digit of another script stays and the shape check refuses it. Idempotent.
    """
    kept = "".join(unicodedata.normalize("NFKC", text).translate(_DROPPED_IN_IDS).split())
    # NFKC again: a mark the dropped characters kept apart from its letter composes now; and
    # only ASCII is upper-cased (x and the t of a certificate number), so the result is a fixed
    # point of this function.
    return unicodedata.normalize("NFKC", kept).translate(_ASCII_UPPER)


def certificate_number_id(text: str) -> str | None:
    """The ID number inside a certificate number (``T`` or ``A`` + the 18-character ID, as
    :func:`opcert.domain.certificates.certificate_number` makes it), or ``None`` when ``text``
    is not one. Spaces, hyphens and a lower-case prefix are accepted as in an ID number."""
    number = normalise_id_text(text)
    if number[:1] in CERTIFICATE_PREFIXES and has_id_shape(number[1:]):
        return number[1:]
    return None


def has_id_shape(number: str) -> bool:
    """Whether a normalised string has the 18-character shape (17 ASCII digits
    and a digit or X); says nothing about the check digit."""
    return _FORM_18.fullmatch(number) is not None


def parse_resident_id(
    text: str, *, today: date, field: str = "id_number", certificate_number: bool = False
) -> ResidentId:
    """Parse and check a typed or pasted 18-character resident ID number.

    Spaces, hyphens and zero-width characters between the digits are dropped first
    (:func:`normalise_id_text`). A certificate number (``T`` + the ID) is read as its ID
    where ``certificate_number`` says the asker may give one; elsewhere it is refused with
    ``ID_IS_CERTIFICATE_NUMBER``, which says so.

    Raises ``FieldError`` on ``field`` with code ``ID_EMPTY``, ``ID_IS_CERTIFICATE_NUMBER``,
    ``ID_EXCEL_NUMBER`` (``4.40402199005171E+17``: digits Excel lost), ``ID_FORMAT``,
    ``ID_CHECKSUM``, ``ID_PROVINCE`` or ``ID_BIRTH_DATE`` (impossible, after
    ``today`` or before :data:`EARLIEST_BIRTH_DATE`), checked in that order.
    """
    number = normalise_id_text(text)
    if not number:
        raise FieldError(
            field, "ID_EMPTY", "请填写身份证号码。", "Please enter the resident ID number."
        )
    inner = certificate_number_id(number)
    if inner is not None and certificate_number:
        number = inner
    elif inner is not None:
        raise FieldError(
            field,
            "ID_IS_CERTIFICATE_NUMBER",
            f"这是证书编号，请填写身份证号码（证书编号去掉开头的字母 {number[0]} 就是身份证号码）。",
            "This is a certificate number; please enter the resident ID number (the certificate "
            f"number without its leading {number[0]}).",
        )
    if _EXCEL_NUMBER.fullmatch(number):
        raise FieldError(
            field,
            "ID_EXCEL_NUMBER",
            f"身份证号码被 Excel 存成了数字（{number}），后几位已经丢失：请把这一列的单元格设置为"
            "“文本”格式，重新输入完整号码。",
            f"Excel stored the ID number as a number ({number}) and lost its last digits: "
            "format the column's cells as Text and type the whole number again.",
        )
    _check_form(number, field)
    _check_digit(number, field)
    province = number[:2]
    if province not in PROVINCE_CODES:
        raise FieldError(
            field,
            "ID_PROVINCE",
            f"身份证号码前两位“{province}”不是有效的省级行政区划代码，请核对号码。",
            f"The first two digits '{province}' are not a valid province code; "
            "please check the number.",
        )
    return ResidentId(
        number=number,
        birth_date=_birth_date(number, today, field),
        sex=Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE,
        division=number[:6],
        division_known=is_known_division(number[:6]),
        province=province,
    )


def _check_form(number: str, field: str) -> None:
    if has_id_shape(number):
        return
    if _FORM_15.fullmatch(number):
        raise FieldError(
            field,
            "ID_FORMAT",
            "这是15位的旧身份证号码，请填写现行的18位号码。",
            "This is an old 15-digit ID number; please enter the current 18-character number.",
        )
    if len(number) == 18:
        entered_zh, entered_en = "其中含有其他字符", "it contains other characters"
    else:
        entered_zh, entered_en = f"您填写了{len(number)}位", f"you entered {len(number)}"
    raise FieldError(
        field,
        "ID_FORMAT",
        f"身份证号码应为18位：前17位是数字，最后一位是数字或字母X（{entered_zh}）。",
        "The resident ID number must have 18 characters: 17 digits followed by a digit "
        f"or the letter X ({entered_en}).",
    )


def _check_digit(number: str, field: str) -> None:
    # The expected check character is not shown: the typo is as likely to be
    # in the first 17 digits, and "fixing" the last one would turn it into a
    # valid number of somebody else.
    if ric.calc_check_digit(number) != number[17]:
        raise FieldError(
            field,
            "ID_CHECKSUM",
            "身份证号码的校验位（最后一位）与前17位不符，请逐位核对号码。",
            "The check character (the last one) does not match the first 17 digits; "
            "please check the number digit by digit.",
        )


def _birth_date(number: str, today: date, field: str) -> date:
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        raise _birth_date_error(number, field, "不是有效日期", "is not a real date") from None
    if born > today:
        raise _birth_date_error(number, field, "晚于今天", "is after today")
    if born < EARLIEST_BIRTH_DATE:
        year = EARLIEST_BIRTH_DATE.year
        raise _birth_date_error(number, field, f"早于{year}年", f"is before {year}")
    return born


def _birth_date_error(number: str, field: str, why_zh: str, why_en: str) -> FieldError:
    raw = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    return FieldError(
        field,
        "ID_BIRTH_DATE",
        f"身份证号码中的出生日期 {raw} {why_zh}，请核对号码。",
        f"The birth date {raw} in the ID number {why_en}; please check the number.",
    )


def upgrade_15_digit(text: str, *, field: str = "id_number") -> str:
    """Convert a GB 11643-1989 15-digit number to the 18-character form.

    Inserts the century "19" before the 6-digit birth date and appends the
    check character computed by python-stdnum. The result is not otherwise
    validated; pass it to :func:`parse_resident_id`. Raises ``FieldError``
    (``ID_FORMAT``) unless the input is exactly 15 digits.
    """
    number = normalise_id_text(text)
    if not _FORM_15.fullmatch(number):
        raise FieldError(
            field,
            "ID_FORMAT",
            "15位旧身份证号码应为15位数字。",
            "An old-style ID number must be exactly 15 digits.",
        )
    body = number[:6] + "19" + number[6:]
    # calc_check_digit ignores the last character of what it is given.
    return body + ric.calc_check_digit(body + "0")
