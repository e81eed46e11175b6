"""Issue 12, part 10: the command line never prints a traceback.

Every command and sub-command is found by walking the Typer app's command tree (nothing is listed
by hand, so a new command is covered the day it is added) and run the way the ``opcert`` console
script runs it (``failures.run``): with an unknown option, without its required parameters, with
a non-number where a number belongs, against a database that refuses connections, and in a
production configuration that must be refused. Each time: a non-zero exit, no traceback, at most
a few lines on stderr. Then the particular cases the issue found, on both backends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from sqlalchemy import text

from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.failures import run
from opcert.interfaces.cli.main import app
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import ledger as ledger_service
from opcert.services.kernel import ledger_anchor
from opcert.settings import Settings
from tests.integration.builders import make_result
from tests.integration.conftest import START

DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/opcert?connect_timeout=3"
MAX_STDERR_LINES = 3


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]
    params: tuple[Any, ...]

    def __str__(self) -> str:
        return " ".join(self.path)


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    children = getattr(command, "commands", None)
    if children:
        for name, child in sorted(children.items()):
            yield from _leaves(child, (*path, name))
    else:
        yield Leaf(path, tuple(p for p in command.params if p.name != "help"))


LEAVES = list(_leaves(typer.main.get_command(app)))
GROUPS = sorted(
    {leaf.path[:n] for leaf in LEAVES for n in range(1, len(leaf.path))}, key=lambda p: p
)


def test_the_walk_finds_every_command():
    names = {str(leaf) for leaf in LEAVES}
    assert {"init", "serve", "verify", "ledger checkpoint", "certificates export"} <= names
    assert len(names) >= 30


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def opcert(capsys, monkeypatch, tmp_path) -> Iterator[Any]:
    """Run ``opcert ARGS`` in-process as the console script does, with a clean environment."""
    for field in Settings.model_fields:  # the platform's settings, not the tests' own OPCERT_TEST_*
        monkeypatch.delenv(f"OPCERT_{field.upper()}", raising=False)
    monkeypatch.setenv("OPCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPCERT_BASE_URL", "http://127.0.0.1:1")  # no platform to ask online
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())

    def invoke(*args: str) -> Outcome:
        cli_context.platform.cache_clear()
        capsys.readouterr()
        code = run(app, list(args))
        captured = capsys.readouterr()
        cli_context.platform.cache_clear()
        return Outcome(code, captured.out, captured.err)

    yield invoke
    cli_context.platform.cache_clear()


def assert_one_clear_failure(outcome: Outcome, what: str) -> None:
    assert outcome.code != 0, f"{what}: exit 0\n{outcome.stdout}{outcome.stderr}"
    assert "Traceback" not in outcome.stderr, f"{what}:\n{outcome.stderr}"
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= MAX_STDERR_LINES, f"{what}: {len(lines)} lines\n{outcome.stderr}"
    assert any(line.startswith("错误 / error:") for line in lines), f"{what}:\n{outcome.stderr}"


def _plausible(param: Any, tmp_path: Path) -> list[str]:
    """Arguments that pass the parser for ``param``, so the command itself runs."""
    annotation = param.type_descriptor.annotation
    if getattr(param, "is_flag", False):
        return [param.opts[0]]
    if annotation is Path or param.name in {"file", "path", "directory", "sample"}:
        target = tmp_path / f"{param.name}.txt"
        target.write_text("SC1:NOT-A-CREDENTIAL\n")
        value = str(tmp_path if param.name == "directory" else target)
    elif annotation is int:
        value = "1"
    elif annotation is float:
        value = "0.0001"
    elif param.name in {"region"}:
        value = "440402"
    elif param.name in {"source"}:
        value = "SC1:NOT-A-CREDENTIAL"
    else:
        value = "1.2"
    return [value] if param.param_type_name == "argument" else [param.opts[0], value]


def _plausible_args(leaf: Leaf, tmp_path: Path) -> list[str]:
    args: list[str] = []
    for param in leaf.params:
        if param.required:
            args += _plausible(param, tmp_path)
    return [*leaf.path, *args]


@pytest.mark.parametrize("leaf", LEAVES, ids=str)
def test_every_command_refuses_an_unknown_option_in_one_line(opcert, leaf):
    outcome = opcert(*leaf.path, "--no-such-option")
    assert_one_clear_failure(outcome, str(leaf))
    assert outcome.code == 2
    assert "--no-such-option" in outcome.stderr


@pytest.mark.parametrize(
    "leaf", [leaf for leaf in LEAVES if any(p.required for p in leaf.params)], ids=str
)
def test_every_command_names_a_missing_parameter_in_one_line(opcert, leaf):
    assert_one_clear_failure(opcert(*leaf.path), str(leaf))


@pytest.mark.parametrize(
    "leaf",
    [
        leaf
        for leaf in LEAVES
        if any(p.type_descriptor.annotation in (int, float) for p in leaf.params)
    ],
    ids=str,
)
def test_every_number_option_refuses_text_in_one_line(opcert, leaf, tmp_path):
    args = _plausible_args(leaf, tmp_path)
    for param in leaf.params:
        if param.type_descriptor.annotation in (int, float):
            outcome = opcert(*args, param.opts[0], "many")
            assert_one_clear_failure(outcome, f"{leaf} {param.opts[0]} many")


@pytest.mark.parametrize("leaf", LEAVES, ids=str)
def test_every_command_fails_in_one_line_when_the_database_refuses(
    opcert, leaf, monkeypatch, tmp_path
):
    monkeypatch.setenv("OPCERT_DATABASE_URL", DEAD_DATABASE)
    assert_one_clear_failure(opcert(*_plausible_args(leaf, tmp_path)), str(leaf))


@pytest.mark.parametrize("leaf", LEAVES, ids=str)
def test_every_command_refuses_an_unsafe_production_configuration_in_one_line(
    opcert, leaf, monkeypatch, tmp_path
):
    monkeypatch.setenv("OPCERT_ENV", "production")
    monkeypatch.setenv("OPCERT_DATABASE_URL", DEAD_DATABASE)
    monkeypatch.delenv("OPCERT_FAKE_NOW")
    outcome = opcert(*_plausible_args(leaf, tmp_path))
    assert_one_clear_failure(outcome, str(leaf))
    assert "production" in outcome.stderr


@pytest.mark.parametrize("group", GROUPS, ids=" ".join)
def test_a_group_without_a_sub_command_lists_them_and_fails(opcert, group):
    outcome = opcert(*group)
    assert_one_clear_failure(outcome, " ".join(group))
    assert "Usage" in outcome.stdout


def test_unreadable_settings_are_one_line(opcert, monkeypatch):
    monkeypatch.setenv("OPCERT_FAKE_NOW", "tomorrow")
    outcome = opcert("ledger", "head")
    assert_one_clear_failure(outcome, "OPCERT_FAKE_NOW=tomorrow")
    assert "OPCERT_FAKE_NOW" in outcome.stderr  # the variable, as the operator sets it


# -- the cases found, against a live database (both backends) ----------------------------------


@pytest.fixture
def live(opcert, platform, monkeypatch):
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    return opcert


@pytest.fixture
def issued(ctx, world) -> str:
    row = make_result()
    submit_results(ctx, world.zhuhai, [row])
    return f"T{row['id_number']}"


def assert_malformed_verdict(outcome: Outcome, what: str) -> None:
    """Issue 13: every input gets a verdict (MALFORMED for anything that is not SC1), never a
    traceback and never exit 0."""
    assert outcome.code == 1, f"{what}: exit {outcome.code}\n{outcome.stdout}{outcome.stderr}"
    assert "Traceback" not in outcome.stderr, f"{what}:\n{outcome.stderr}"
    assert "MALFORMED" in outcome.stdout, f"{what}:\n{outcome.stdout}{outcome.stderr}"


@pytest.mark.parametrize(
    "source",
    ["", ".", "/", "HC1:" + "6BF" * 3000, "SC1", "\x00", "a" * 5000],
    ids=["empty", "dot", "root", "long-HC1", "SC1-alone", "NUL", "long-name"],
)
def test_verify_answers_any_input_with_a_malformed_verdict(live, source):
    assert_malformed_verdict(live("verify", source), repr(source[:20]))
    answer = json.loads(live("verify", source, "--json").stdout)
    assert answer["verdict"] == "MALFORMED"


def test_verify_on_a_binary_file_is_malformed_and_says_why(live, tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(bytes(range(256)) * 64)
    outcome = live("verify", str(binary))
    assert_malformed_verdict(outcome, "binary file")
    assert "not an SC1 text, QR image or PDF" in outcome.stdout


@pytest.mark.parametrize("fmt", ["sc1", "pdf", "png"])
def test_export_to_a_directory_is_one_line(live, issued, tmp_path, fmt):
    outcome = live("certificates", "export", issued, "--item", "1.2", "--format", fmt, "-o", ".")
    assert_one_clear_failure(outcome, f"-o . ({fmt})")
    assert "directory" in outcome.stderr


def test_export_to_an_unwritable_path_is_one_line(live, issued, tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "c.pdf"
    outcome = live("certificates", "export", issued, "--item", "1.2", "--format", "pdf")
    assert_one_clear_failure(outcome, "pdf to stdout")
    outcome = live("certificates", "export", issued, "--item", "1.2", "-o", str(missing))
    assert_one_clear_failure(outcome, "missing directory")
    if Path("/dev/full").exists():  # every write fails: no space left on the device
        outcome = live("certificates", "export", issued, "--item", "1.2", "-o", "/dev/full")
        assert_one_clear_failure(outcome, "/dev/full")
        assert "cannot write" in outcome.stderr


def test_a_connection_lost_in_the_middle_of_a_command_is_one_line(
    live, platform, monkeypatch, ctx, world
):
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("a server-side disconnect needs PostgreSQL")
    submit_results(ctx, world.zhuhai, [make_result()])
    verify = ledger_service.verify

    def cut_then_verify(uow, *args, **kwargs):
        # The server ends this session, as a restart or a failover would, mid-command.
        uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return verify(uow, *args, **kwargs)

    # ``opcert ledger verify`` runs ``ledger_anchor.audit``, which holds ``verify`` by name.
    monkeypatch.setattr(ledger_anchor, "verify", cut_then_verify)
    outcome = live("ledger", "verify")
    assert_one_clear_failure(outcome, "lost connection")
    assert "lost" in outcome.stderr


def test_the_console_script_itself_prints_one_line(tmp_path):
    """The installed ``opcert`` entry point goes through the same catch-all."""
    script = Path(sys.executable).with_name("opcert")
    settings = {f"OPCERT_{field.upper()}" for field in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in settings}
    env.update(OPCERT_DATA_DIR=str(tmp_path), OPCERT_DATABASE_URL=DEAD_DATABASE)
    for args in (["ledger", "verify"], ["certificates", "export", "T1", "--item", "1.2", "-x"]):
        done = subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, timeout=60
        )
        outcome = Outcome(done.returncode, done.stdout, done.stderr)
        assert_one_clear_failure(outcome, " ".join(args))
