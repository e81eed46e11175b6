"""The house stays readable as it grows (issue 15): modules small enough to hold in one's head,
functions short enough to read at once. Outside the migrations (frozen records of the schema):

- the median module has at most 100 lines;
- no module has more than 400;
- no function or method has more than 60 (decorators excluded, docstring included).
"""

import ast
import statistics
from pathlib import Path

import opcert

PACKAGE = Path(opcert.__file__).parent
MEDIAN_LINES = 100
MODULE_LINES = 400
FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def _long_functions(source: str, limit: int = FUNCTION_LINES) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((node.name, length))
    return found


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_median_module_has_at_most_a_hundred_lines() -> None:
    assert statistics.median(_lines(p) for p in _modules()) <= MEDIAN_LINES


def test_no_module_has_more_than_four_hundred_lines() -> None:
    too_long = {str(p.relative_to(PACKAGE)): _lines(p) for p in _modules()}
    assert {name: n for name, n in too_long.items() if n > MODULE_LINES} == {}


def test_no_function_has_more_than_sixty_lines() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name} ({length} lines)"
        for path in _modules()
        for name, length in _long_functions(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_a_long_function_and_counts_its_body_not_its_decorators() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(60))
    source = f"@decorator\n@another\ndef long(x):\n{body}\n\ndef short():\n    return 1\n"
    assert _long_functions(source) == [("long", 61)]
