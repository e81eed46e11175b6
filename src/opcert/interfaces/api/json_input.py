"""The one JSON decoder of the API: bounded in size, depth and numbers, and no unsafe text.

``decode_json`` parses with the standard library's parser and then walks the result once, so
that every refusal names the field at fault (``results[3].name``):

- a body larger than ``MAX_BODY_BYTES`` is refused before it is parsed (413);
- nesting deeper than ``MAX_DEPTH`` arrays and objects is refused (422); the parser's own
  recursion limit, far deeper, is caught as the same refusal;
- an integer outside ±(2^53 - 1), the range every JSON reader keeps exactly (RFC 7493 I-JSON),
  is refused (422): a database column is 64 bits at most and SQLite raises on more;
- ``NaN`` and ``Infinity``, which are not JSON, are refused (400);
- every string and key passes ``opcert.domain.unsafe_text`` (NUL, controls, bidi, zero-width,
  lone surrogates such as ``"\\ud800"``) (422).
"""

from __future__ import annotations

import json
from typing import Any

from opcert.domain.errors import DomainError, FieldError
from opcert.domain.unsafe_text import check_text

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1


class MalformedJson(DomainError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "MALFORMED_JSON",
            f"请求体不是有效的 JSON：{detail}",
            f"the request body is not valid JSON: {detail}",
            field="body",
        )


class BodyTooLarge(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            "BODY_TOO_LARGE",
            f"请求体超过 {limit} 字节",
            f"the request body is larger than {limit} bytes",
            field="body",
        )
        self.limit = limit


def _no_constant(name: str) -> Any:
    raise MalformedJson(f"{name} is not a JSON number")


def decode_json(raw: bytes) -> Any:
    """The parsed body; raises ``MalformedJson``, ``BodyTooLarge`` or ``FieldError``."""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge(MAX_BODY_BYTES)
    if not raw.strip():
        raise MalformedJson("empty body")
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep("body") from None
    except (ValueError, UnicodeDecodeError) as error:
        # ValueError covers integers of more than 4300 digits (the interpreter's own limit).
        raise MalformedJson(str(error)) from None
    check_value(value)
    return value


def check_value(value: Any, path: str = "", depth: int = 0) -> None:
    """Walk a decoded JSON value; raise ``FieldError`` naming the first field out of bounds."""
    field = path or "body"
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise FieldError(
                field,
                "INTEGER_TOO_LARGE",
                f"「{field}」的整数超出 ±(2^53-1) 的范围",
                f"the integer in {field} is outside ±(2^53 - 1)",
            )
    elif isinstance(value, (list, dict)):
        if depth >= MAX_DEPTH:
            raise _too_deep(field)
        if isinstance(value, list):
            for index, item in enumerate(value):
                check_value(item, f"{path}[{index}]", depth + 1)
        else:
            for key, item in value.items():
                # An unsafe key is reported on its parent: it cannot be shown as a field name.
                check_text(key, field)
                check_value(item, f"{path}.{key}" if path else key, depth + 1)


def _too_deep(field: str) -> FieldError:
    return FieldError(
        field,
        "JSON_TOO_DEEP",
        f"JSON 嵌套超过 {MAX_DEPTH} 层",
        f"the JSON nests deeper than {MAX_DEPTH} levels",
    )
