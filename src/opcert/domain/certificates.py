"""Certificate facts that follow from the rules: dates, number, issuer, status codes.

Dates follow the period convention of :mod:`opcert.domain.periods`: a
6-year certificate issued on 2026-11-20 is valid from 2026-11-20 to
2032-11-20 inclusive, and under ORDER30 is due for review on 2029-11-20.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum

from opcert.domain.clock import start_of_day
from opcert.domain.errors import FieldError
from opcert.domain.identity import has_id_shape, normalise_id_text
from opcert.domain.periods import add_years
from opcert.domain.rules import RuleSet

# The number is a prefix and the holder's resident ID: `T` for the special operation certificate
# (credential spec section 3); `A` for the safety-manager certificate, whose official format is
# unconfirmed (decision 0006).
NUMBER_PREFIXES = {"SO": "T", "SM": "A"}
CERTIFICATE_TYPES = tuple(NUMBER_PREFIXES)
# A credential's issuer (SC1 `iss`) and an authority's code: `CN-` and its GB/T 2260 division.
ISSUER_PREFIX = "CN-"


@dataclass(frozen=True)
class CertificateDates:
    """Validity (both ends inclusive) and the review due date (应复审日期),
    ``None`` where the rule set requires no review."""

    valid_from: date
    valid_to: date
    review_due: date | None


def certificate_dates(
    rules: RuleSet, issued_on: date, *, extended_review: bool = False
) -> CertificateDates:
    """Dates of a certificate issued on ``issued_on`` under ``rules``.

    ``extended_review`` applies the longer interval (ORDER30 Art. 21: ten
    years of continuous compliant work, review every six years) where the rule
    set has one.
    """
    interval = rules.review_interval_years
    if extended_review and rules.extended_review_interval_years is not None:
        interval = rules.extended_review_interval_years
    return CertificateDates(
        valid_from=issued_on,
        valid_to=add_years(issued_on, rules.validity_years),
        review_due=None if interval is None else add_years(issued_on, interval),
    )


class StatusCode(IntEnum):
    """The 2-bit value of a certificate's entry in a status list (credential
    spec section 5)."""

    IN_FORCE = 0
    # Revoked, cancelled or lapsed (撤销 / 注销 / 失效).
    VOID = 1
    # A newer version of the same certificate exists.
    SUPERSEDED = 2
    SUSPENDED = 3


def superseded(previous: int) -> StatusCode:
    """The status entry of a credential version once a newer one is signed: superseded (2) if
    it was in force; a void or suspended entry keeps what it says."""
    return StatusCode.SUPERSEDED if previous == StatusCode.IN_FORCE else StatusCode(previous)


def certificate_number(id_number: str, certificate_type: str, *, field: str = "id_number") -> str:
    """The certificate number: the type's prefix (``T`` SO, ``A`` SM) + the 18-character ID.

    Only the shape of the ID is checked here (17 digits and a digit or X,
    lower-case x accepted); check the number itself with
    :func:`opcert.domain.identity.parse_resident_id` first. Raises
    ``FieldError`` (``ID_FORMAT``) for another shape and (``CERTIFICATE_TYPE``) for a type
    other than SO or SM.
    """
    prefix = NUMBER_PREFIXES.get(certificate_type)
    if prefix is None:
        raise FieldError(
            "certificate_type",
            "CERTIFICATE_TYPE",
            f"证书类型 {certificate_type!r} 应为 SO（特种作业）或 SM（安全合格证）",
            f"certificate type {certificate_type!r} must be SO or SM",
        )
    number = normalise_id_text(id_number)
    if not has_id_shape(number):
        raise FieldError(
            field,
            "ID_FORMAT",
            "身份证号码应为18位：前17位是数字，最后一位是数字或字母X。",
            "The resident ID number must have 18 characters: 17 digits followed by a digit "
            "or the letter X.",
        )
    return prefix + number


def own_numbers(id_number: str) -> frozenset[str]:
    """Every certificate number a person with this ID number can hold, one per type."""
    number = normalise_id_text(id_number)
    if not has_id_shape(number):
        return frozenset()
    return frozenset(prefix + number for prefix in NUMBER_PREFIXES.values())


def issuer_code(division: str) -> str:
    """The issuer of an authority's credentials, and its code: ``440400`` → ``CN-440400``.

    A leading part of a division gives the prefix of the codes below it: ``4404`` → ``CN-4404``.
    """
    return ISSUER_PREFIX + division


def issuer_division(code: str) -> str:
    """The division of an issuer or authority code: ``CN-440400`` → ``440400``."""
    return code.removeprefix(ISSUER_PREFIX)


def exp_instant(valid_to: date) -> datetime:
    """End of validity as an instant: 00:00 Asia/Shanghai of the day after
    ``valid_to`` (the credential's ``exp``)."""
    return start_of_day(valid_to + timedelta(days=1))
