"""The CLI's platform: built once per command from the environment."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import NoReturn

import typer

from opcert.bootstrap import Platform, build, explain_database_failure, schema_ready
from opcert.domain.errors import DomainError
from opcert.settings import ProductionRefused


@cache
def platform() -> Platform:
    """Built once per command; an unsafe production (settings or demo data) is one line."""
    try:
        return build()
    except ProductionRefused as refused:
        fail(refused.line())
        raise  # unreachable: fail raises


def ready_platform() -> Platform:
    """A platform whose database has been initialised; a clear message otherwise."""
    current = platform()
    try:
        ok = schema_ready(current)
    except Exception as error:
        fail(
            explain_database_failure(error)
            or f"无法连接数据库 / cannot reach the database: {error}"
        )
    if not ok:
        fail(
            "数据库尚未初始化，请先运行 opcert init / the database is not initialised: run opcert init"
        )
    return current


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` as one line on stderr (white space and line breaks folded) and exit."""
    print(f"错误 / error: {' '.join(message.split())}", file=sys.stderr)
    raise typer.Exit(code)


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        fields = getattr(error, "errors", None) or []
        detail = "; ".join(f"{e.field}: {e.message_zh}" for e in fields)
        where = f"[{error.field}] " if error.field and not detail else ""
        fail(
            f"{where}{error.message_zh}{'（' + detail + '）' if detail else ''} / {error.message_en}"
        )
