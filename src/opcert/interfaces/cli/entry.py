"""The ``opcert`` console script: ``verify`` starts without the platform, the rest as before.

An inspector's ``opcert verify --offline`` should not pay for the web framework, the database
layer, Typer and every other command (1.8 s and 100 MiB before this module). So a well-formed
``opcert verify ...`` is parsed here with the standard library's argparse and handed to
``verify_run.run``, which imports the credential package and the offline reader only. Anything
argparse does not take cleanly (``--help``, an unknown option, a missing argument) goes to the
Typer app, whose help and usage errors stay the only ones users see. Every other command builds
the full app of ``main.py``. Both paths end in the same catch-all (``failures``): one line on
stderr and a non-zero exit, never a traceback; both refuse unsafe arguments first.

The production guard (``production.guard``) runs for every command of the full app; offline
verification touches no database, secret or key of the platform, so it does not need it, and an
online check goes through the platform's own ``build``, which refuses an unsafe production.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opcert.domain.unsafe_text import first_unsafe, unsafe_character

if TYPE_CHECKING:
    import typer

    from opcert.interfaces.cli.verify_run import VerifyOptions


def main() -> None:
    """Every failure is one line on stderr and a non-zero exit."""
    arguments = sys.argv[1:]
    refuse_unsafe_arguments(arguments)
    if arguments[:1] == ["verify"]:
        options = fast_verify_options(arguments[1:])
        if options is not None:
            sys.exit(_run_fast(options))
    from opcert.interfaces.cli.failures import run

    if arguments[:1] == ["verify"]:
        sys.exit(run(verify_app(), arguments))
    from opcert.interfaces.cli.main import app

    sys.exit(run(app))


class _NotForUs(Exception):
    """argparse would have printed a usage error: let Typer say it instead."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotForUs(message)


def fast_verify_options(arguments: list[str]) -> VerifyOptions | None:
    """The options of a well-formed ``opcert verify`` (after the word ``verify``), or None for
    anything the Typer command should answer (help, usage errors)."""
    if any(argument in ("--help", "-h") for argument in arguments):
        return None
    parser = _Parser(prog="opcert verify", add_help=False, allow_abbrev=False)
    parser.add_argument("source")
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--trust-list", type=Path)
    parser.add_argument("--status-dir", type=Path)
    parser.add_argument("--root-key", type=Path)
    parser.add_argument("--root-fingerprint", action="append", default=[])
    parser.add_argument("--state", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--log-proof", type=Path)
    parser.add_argument("--require-log", action="store_true")
    try:
        given = parser.parse_args(arguments)
    except _NotForUs:
        return None
    from opcert.interfaces.cli.verify_run import VerifyOptions

    return VerifyOptions(
        given.source,
        given.offline,
        given.trust_list,
        given.status_dir,
        given.root_key,
        tuple(given.root_fingerprint),
        given.state,
        given.json,
        given.log_proof,
        given.require_log,
    )


def _run_fast(options: VerifyOptions) -> int:
    from opcert.interfaces import log_privacy

    log_privacy.install()
    try:
        from opcert.interfaces.cli.verify_run import run

        return run(options)
    except BaseException as error:  # the same catch-all as every other command
        from opcert.interfaces.cli.failures import report

        return report(error)


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
