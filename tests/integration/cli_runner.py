"""The command line as a test runs it: against the test's platform (its data dir, database and
fixed clock), each call a fresh ``CliRunner`` invocation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from opcert.bootstrap import Platform
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from tests.integration.conftest import START


@contextmanager
def cli_of(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    cli_context.platform.cache_clear()

    def run(*args: Any) -> Result:
        return CliRunner().invoke(app, [str(arg) for arg in args])

    try:
        yield run
    finally:
        cli_context.platform.cache_clear()
