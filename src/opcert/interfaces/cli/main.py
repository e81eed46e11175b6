"""``opcert``: the command line. Nouns with sub-commands, one clear line on stderr for errors."""

from __future__ import annotations

import sys

import typer

from opcert.interfaces.cli import (
    analytics,
    applications,
    certificates,
    keys,
    ledger,
    lifecycle,
    log,
    production,
    registry,
    results,
    sessions,
    setup,
    sharing,
    synth,
)
from opcert.interfaces.cli import verify as verify_command
from opcert.interfaces.cli.entry import refuse_unsafe_arguments
from opcert.interfaces.cli.failures import run

app = typer.Typer(
    help="opcert：特种作业操作证全国平台 / national special operation certificate platform",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.callback()(production.guard)  # before every command: production refuses unsafe settings
setup.register(app)
verify_command.register(app)
synth.register(app)
app.add_typer(registry.institutions, name="institutions")
app.add_typer(registry.exam_points, name="exam-points")
app.add_typer(registry.officers, name="officers")
registry.institutions.command("add-user")(sessions.add_user)
registry.officers.command("password")(sessions.officer_password)
app.add_typer(sessions.sessions_app, name="sessions")
app.add_typer(registry.authorities, name="authorities")
app.add_typer(results.app, name="results")
app.add_typer(certificates.app, name="certificates")
app.add_typer(applications.app, name="applications")
app.add_typer(keys.keys, name="keys")
app.add_typer(keys.trust, name="trust")
app.add_typer(ledger.app, name="ledger")
app.add_typer(log.app, name="log")
app.add_typer(analytics.app, name="analytics")
app.add_typer(lifecycle.app, name="lifecycle")
app.add_typer(lifecycle.legacy_app, name="legacy")
app.add_typer(lifecycle.reminders_app, name="reminders")
sharing.register(app)  # --- sharing ---


def main() -> None:
    """The full app, every command; the console script is ``entry.main`` (``verify`` fast)."""
    refuse_unsafe_arguments(sys.argv[1:])
    sys.exit(run(app))
