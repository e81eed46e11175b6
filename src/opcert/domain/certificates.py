"""Certificate facts that follow from the rules: dates, number, status codes.

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

CERTIFICATE_NUMBER_PREFIX = "T"


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


def certificate_number(id_number: str, *, field: str = "id_number") -> str:
    """The special operation certificate number: ``T`` + the 18-character ID.

    Only the shape of the ID is checked here (17 digits and a digit or X,
    lower-case x accepted); check the number itself with
    :func:`opcert.domain.identity.parse_resident_id` first. Raises
    ``FieldError`` (``ID_FORMAT``) for another shape.
    """
    number = normalise_id_text(id_number)
    if not has_id_shape(number):
        raise FieldError(
            field,
            "ID_FORMAT",
            "身份证号码应为18位：前17位是数字，最后一位是数字或字母X。",
            "The resident ID number must have 18 characters: 17 digits followed by a digit "
            "or the letter X.",
        )
    return CERTIFICATE_NUMBER_PREFIX + number


def exp_instant(valid_to: date) -> datetime:
    """End of validity as an instant: 00:00 Asia/Shanghai of the day after
    ``valid_to`` (the credential's ``exp``)."""
    return start_of_day(valid_to + timedelta(days=1))
