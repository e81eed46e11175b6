"""The ``opcert`` console script: ``verify`` starts without the platform, the rest as before.

An inspector's ``opcert verify --offline`` should not pay for the web framework, the database
layer and every other command (1.8 s and 100 MiB before this module). So ``verify`` is
dispatched here to an app holding that one command (``verify.py`` imports the credential package
and the offline reader only), through the same catch-all ``failures.run`` and the same
unsafe-argument rule; every other command builds the full app of ``main.py``.

The production guard (``production.guard``) runs for every command of the full app; offline
verification touches no database, secret or key of the platform, so it does not need it, and an
online check goes through the platform's own ``build``, which refuses an unsafe production.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from opcert.domain.unsafe_text import first_unsafe, unsafe_character

if TYPE_CHECKING:
    import typer


def main() -> None:
    """Every failure is one line on stderr and a non-zero exit."""
    arguments = sys.argv[1:]
    refuse_unsafe_arguments(arguments)
    from opcert.interfaces.cli.failures import run

    if arguments[:1] == ["verify"]:
        sys.exit(run(verify_app(), arguments))
    from opcert.interfaces.cli.main import app

    sys.exit(run(app))


def verify_app() -> typer.Typer:
    """A Typer app with the ``verify`` command only, named as in the full app."""
    import typer

    from opcert.interfaces.cli import verify

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.callback()(_no_guard)
    verify.register(app)
    return app


def _no_guard() -> None:
    """opcert：特种作业操作证全国平台 / national special operation certificate platform"""


def refuse_unsafe_arguments(arguments: list[str]) -> None:
    """The same unsafe-text rule as the API and the pages, on every argument: one line on
    stderr and exit status 2 (a usage error) before any command runs."""
    for position, argument in enumerate(arguments, start=1):
        char = first_unsafe(argument)
        if char is not None:
            error = unsafe_character(f"argument {position}", char)
            print(f"错误 / error: {error.message_zh} / {error.message_en}", file=sys.stderr)
            raise SystemExit(2)
