"""The README's tour as data: its paragraphs of shell, the output each one shows, and the pages
and ``opcert`` commands the README names. Read from README.md itself, so that a test built on
it fails when the README and the program drift apart.

Conventions (README, section "导览 / A tour"): every ``bash`` block of the section is the tour;
a paragraph (lines between blank lines) is one step; a ``#>`` comment line is a line the step
prints, where ``…`` stands for anything. The tour speaks to ``http://127.0.0.1:8000``, where
``make run`` serves.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass

TOUR_HEADING = "## 导览 / A tour"
EXPECT = "#>"
ELLIPSIS = "…"
MAKE_RUN_ADDRESS = "127.0.0.1:8000"
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Step:
    """One paragraph of the tour: its shell text and the lines it must print, in order."""

    line: int  # README line number of the paragraph's first line, for messages
    script: str
    expected: tuple[str, ...]


def section(readme: str, heading: str) -> list[tuple[int, str]]:
    """The numbered lines under ``heading``, up to the next heading of the same level."""
    lines = readme.splitlines()
    start = lines.index(heading)
    level = heading.split(" ", 1)[0] + " "
    found = []
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if line.startswith(level):
            break
        found.append((number, line))
    return found


def bash_blocks(lines: Iterable[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The bodies of the ``bash`` fenced blocks among ``lines`` (other languages left out)."""
    blocks: list[list[tuple[int, str]]] = []
    body: list[tuple[int, str]] | None = None
    language = ""
    for number, line in lines:
        fence = _FENCE.match(line)
        if fence and body is None:
            body, language = [], fence.group(1)
        elif fence and body is not None:
            if language in ("bash", "sh", "shell"):
                blocks.append(body)
            body = None
        elif body is not None:
            body.append((number, line))
    return blocks


def steps(readme: str) -> list[Step]:
    """The tour's steps, in the README's order."""
    found = []
    for block in bash_blocks(section(readme, TOUR_HEADING)):
        paragraph: list[tuple[int, str]] = []
        for number, line in [*block, (0, "")]:
            if line.strip():
                paragraph.append((number, line))
                continue
            if paragraph:
                found.append(_step(paragraph))
            paragraph = []
    return found


def _step(paragraph: list[tuple[int, str]]) -> Step:
    expected = tuple(
        line.strip()[len(EXPECT) :].removeprefix(" ")
        for _, line in paragraph
        if line.strip().startswith(EXPECT)
    )
    return Step(paragraph[0][0], "\n".join(line for _, line in paragraph), expected)


def _pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split(ELLIPSIS)), re.DOTALL)


def missing(expected: Iterable[str], output: str) -> list[str]:
    """The expected lines that ``output`` does not print, in order (each one a whole line of
    the output, ``…`` matching anything): empty when the output shows everything."""
    printed = [line.rstrip() for line in output.splitlines()]
    position = 0
    absent = []
    for wanted in expected:
        pattern = _pattern(wanted.rstrip())
        at = next((i for i in range(position, len(printed)) if pattern.fullmatch(printed[i])), None)
        if at is None:
            absent.append(wanted)
        else:
            position = at + 1
    return absent


def page_paths(readme: str) -> list[str]:
    """Every web page the README points a browser at: ``<http://127.0.0.1:8000/…>`` links and
    code spans holding a bare path (API paths excepted: the tour runs those)."""
    links = re.findall(r"<http://127\.0\.0\.1:8000(/[^>\s]*)>", readme)
    spans = re.findall(r"`(/[A-Za-z0-9_/-]*)`", readme)
    paths = [*links, *spans]
    return sorted({path for path in paths if not path.startswith("/api/")})


def cli_mentions(readme: str) -> list[str]:
    """Every code span that runs ``opcert`` (after any ``VAR=value`` prefix)."""
    spans = re.findall(r"`([^`\n]+)`", readme)
    return [span for span in spans if _command_words(span)[:1] == ["opcert"]]


def _command_words(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError:
        return []
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        words = words[1:]
    if words[:1] and words[0].endswith("/opcert"):
        words[0] = "opcert"
    return words


def command_words(text: str) -> list[str]:
    """The words of an ``opcert`` command line up to the first shell operator."""
    words = _command_words(text)
    for index, word in enumerate(words):
        if word in ("|", "||", "&&", ";", ">", ">>", "<", "2>&1"):
            return words[:index]
    return words
