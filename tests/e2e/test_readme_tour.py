"""The README's tour, run as written: ``make run`` in a fresh temporary data dir (on a free port
instead of 8000), then every paragraph of the tour's shell in one bash, in order. Each must exit
0 and print what its ``#>`` lines show. The commands come from README.md itself: edit the README
and this test runs the new text."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e import readme_tour
from tests.e2e.conftest import ROOT, _free_port, _wait_until_up

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

README = (ROOT / "README.md").read_text(encoding="utf-8")
START_UP_SECONDS = 300  # make run: init, the demo's few hundred results, then serve
TOUR_SECONDS = 300


def _clean_environment(data_dir: Path, cache: Path) -> dict[str, str]:
    """A newcomer's shell: no OPCERT_* settings of ours, no enclosing make's flags."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OPCERT_") and key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    env.pop("VIRTUAL_ENV", None)
    env.update(OPCERT_DATA_DIR=str(data_dir), OPCERT_ENV="development", XDG_CACHE_HOME=str(cache))
    return env


@pytest.fixture(scope="module")
def made_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """``make run`` as the README has it, in a fresh data dir; the URL, the working directory
    (with ``.venv`` and ``./data`` where the tour expects them) and the environment."""
    workdir = tmp_path_factory.mktemp("readme-tour")
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    env = _clean_environment(workdir / "data", workdir / "cache")
    port = _free_port()
    log = (workdir / "make-run.log").open("wb")
    process = subprocess.Popen(
        ["make", "-s", "run", f"RUN_PORT={port}", f"OPCERT_DATA_DIR={workdir / 'data'}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # make, its shell and the server: stopped together below
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_until_up(url, process, seconds=START_UP_SECONDS)
        except RuntimeError as error:
            log.flush()
            pytest.fail(f"make run: {error}\n{(workdir / 'make-run.log').read_text()[-3000:]}")
        yield url, workdir, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _script(steps: list[readme_tour.Step], port: int, marker: str) -> str:
    """One bash running every step, a marker line with the step's exit status after each;
    ``set -e`` stops at a failing command inside a step."""
    parts = ["exec 2>&1", "set -e -o pipefail"]
    for index, step in enumerate(steps):
        script = step.script.replace(readme_tour.MAKE_RUN_ADDRESS, f"127.0.0.1:{port}")
        parts += [script, f"printf '\\n%s %d %d\\n' {marker} {index} $?"]
    return "\n".join(parts) + "\n"


def _outputs(stdout: str, marker: str) -> dict[int, tuple[int, str]]:
    """Each finished step's exit status and output, by index."""
    found: dict[int, tuple[int, str]] = {}
    pending: list[str] = []
    for line in stdout.splitlines():
        mark = re.fullmatch(rf"{marker} (\d+) (\d+)", line)
        if mark:
            found[int(mark.group(1))] = (int(mark.group(2)), "\n".join(pending))
            pending = []
        else:
            pending.append(line)
    found[len(found)] = (-1, "\n".join(pending))  # the output of a step that stopped the shell
    return found


def test_the_readme_tour_parses_into_steps_that_show_their_output():
    steps = readme_tour.steps(README)
    assert len(steps) >= 5
    assert any(readme_tour.MAKE_RUN_ADDRESS in step.script for step in steps), "it uses the server"
    assert sum(len(step.expected) for step in steps) >= 5, "the tour shows what its steps print"


def test_an_output_the_readme_shows_but_the_program_does_not_print_is_reported():
    shown = ['{"results":[{"ref":"R-1","outcome":"issued",…}]}', "结论 / verdict: VALID"]
    printed = '{"results":[{"ref":"R-1","outcome":"issued","errors":[]}]}\n结论 / verdict: VALID\n'
    assert readme_tour.missing(shown, printed) == []
    assert readme_tour.missing(shown, printed.replace("issued", "in_review")) == [shown[0]]
    assert readme_tour.missing(shown[::-1], printed) == [shown[0]], "order matters"
    assert readme_tour.missing(["SC1:…"], "Invalid HTTP request received.") == ["SC1:…"]


def test_every_paragraph_of_the_readme_tour_runs_and_prints_what_the_readme_shows(made_run):
    url, workdir, env = made_run
    steps = readme_tour.steps(README)
    marker = f"@@tour-{uuid.uuid4().hex}@@"
    done = subprocess.run(
        ["bash", "-c", _script(steps, int(url.rsplit(":", 1)[1]), marker)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TOUR_SECONDS,
    )
    outputs = _outputs(done.stdout, marker)
    for index, step in enumerate(steps):
        status, output = outputs.get(index, (None, ""))
        where = f"README line {step.line}:\n{step.script}\n--- printed:\n{output[-3000:]}"
        assert status == 0, f"exit status {status if status != -1 else done.returncode} at {where}"
        absent = readme_tour.missing(step.expected, output)
        assert absent == [], f"not printed: {absent} at {where}"
    assert done.returncode == 0


def test_every_page_the_readme_names_opens_as_a_page(made_run):
    url, _, _ = made_run
    paths = readme_tour.page_paths(README)
    assert "/" in paths and "/verify" in paths
    for path in paths:
        answer = httpx.get(url + path, follow_redirects=True, timeout=30)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
        assert answer.headers["content-type"].startswith("text/html"), path


def test_every_opcert_command_the_readme_names_exists_with_the_options_it_shows():
    import typer

    from opcert.interfaces.cli.main import app

    root = typer.main.get_command(app)
    mentions = readme_tour.cli_mentions(README)
    assert len(mentions) >= 10
    for mention in mentions:
        command = root  # a group has .commands (typer's own click, not the click package)
        words = readme_tour.command_words(mention)[1:]
        while words and hasattr(command, "commands") and not words[0].startswith("-"):
            names = words.pop(0).split("|")
            unknown = [name for name in names if name not in command.commands]
            assert unknown == [], f"`{mention}`: no command {unknown}"
            command = command.commands[names[0]]
            if len(names) > 1:
                words = []
        options = {opt for param in command.params for opt in param.opts}
        shown = {word.split("=", 1)[0] for word in words if word.startswith("-")}
        assert shown <= options, f"`{mention}`: no option {sorted(shown - options)}"
