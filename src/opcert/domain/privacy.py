"""What personal data may leave the platform in a log line: ID numbers masked, names never.

``mask_id_number`` keeps the first 6 characters (the division of registration) and the last 4
(``440402********0031``): enough for an operator to tell two people apart in a log, not enough
to look anyone up. ``redact`` applies that to every resident ID number in a text (18 characters,
the last possibly ``X``, and the old 15-digit form) and removes names: the value of any parameter
or field called like a name (``name=``, ``"name": "..."``, ``'name': '...'``, URL-encoded or not),
and every run of Han characters, since a Chinese name is exactly such a run and the platform's
own log messages are written in English.
"""

from __future__ import annotations

import re

NAME_PLACEHOLDER = "***"

# Resident ID numbers (GB 11643: 18 characters; the 15-digit form of the first generation),
# not as part of a longer run of digits.
_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")

# Keys whose values are personal names. Matched case-insensitively as a whole key.
_NAME_KEYS = r"(?:name|names|holder_name|full_name|candidate_name|nam|姓名)"
# name=VALUE in a query string or form body (up to & or white space), name: VALUE in a repr.
_QUERY_NAME = re.compile(rf"(?i)(?<![A-Za-z0-9_])({_NAME_KEYS}=)[^&\s\"']*")
_QUOTED_NAME = re.compile(
    rf"(?i)([\"']{_NAME_KEYS}[\"']\s*[:=]\s*)(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
)
# Han ideographs (with the extensions and compatibility blocks) and the middle dots that join the
# parts of minority and foreign names.
_HAN_RUN = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
    "(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u00b7\u2022\u30fb]*"
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f])?"
)


def mask_id_number(value: str) -> str:
    """``440402199001010031`` -> ``440402********0031``; shorter values are masked whole."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def redact(text: str) -> str:
    """``text`` with every ID number masked and every name removed; idempotent."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), text)
    text = _QUERY_NAME.sub(lambda match: match.group(1) + NAME_PLACEHOLDER, text)
    text = _QUOTED_NAME.sub(lambda match: f'{match.group(1)}"{NAME_PLACEHOLDER}"', text)
    return _HAN_RUN.sub(NAME_PLACEHOLDER, text)
