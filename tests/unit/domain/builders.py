"""Test data for the domain tests: resident ID numbers and strategies.

The check character is computed here with the algorithm printed in
GB 11643-1999 (domain-reference section 9), independently of python-stdnum,
so the tests also cross-check the library the code relies on.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TODAY = date(2026, 9, 1)

# Divisions stdnum knows, from several provinces, current and historical.
KNOWN_DIVISIONS = ("110105", "440524", "310115", "500229", "650102", "429004", "130502")


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 17-digit body."""
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id_number(
    division: str = "110105", born: date = date(1990, 3, 7), sequence: int = 123
) -> str:
    """A checksum-valid 18-character ID; an odd ``sequence`` makes a man."""
    body = f"{division}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, date, int]:
    """A valid ID number with the birth date and sequence that built it."""
    division = draw(st.sampled_from(KNOWN_DIVISIONS))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return make_id_number(division, born, sequence), born, sequence
