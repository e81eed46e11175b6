"""Interfaces parse, call a service and render: none opens a unit of work of its own.

The import contract (pyproject.toml) keeps ``opcert.interfaces`` from importing persistence;
this test catches what an import cannot show, a route or command reaching ``ctx.uow()`` through
the service context it was handed.
"""

import ast
from pathlib import Path

import opcert.interfaces

INTERFACES = Path(opcert.interfaces.__file__).parent
# Calls that open or drive a unit of work: ``ctx.uow()``, ``ctx.reader()``, ``ctx.read()``,
# ``uow.begin_write()``.
OPENERS = {"uow", "reader", "begin_write"}


def _unit_of_work_calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        receiver = ast.unparse(node.func.value)
        # ``upload.read(n)`` reads a file; ``ctx.read()`` opens a read-only unit of work.
        if name in OPENERS or (name == "read" and receiver.split(".")[-1] == "ctx"):
            found.append((node.lineno, f"{receiver}.{name}()"))
    return found


def test_no_interface_module_opens_a_unit_of_work() -> None:
    offenders = [
        f"{path.relative_to(INTERFACES)}:{line}: {call}"
        for path in sorted(INTERFACES.rglob("*.py"))
        for line, call in _unit_of_work_calls(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def test_the_check_sees_a_route_that_opens_one() -> None:
    route = (
        "def offline_config(request):\n"
        "    ctx = ctx_of(request)\n"
        "    with ctx.uow() as uow:\n"
        "        uow.begin_write()\n"
        "    with request.app.state.ctx.read() as uow:\n"
        "        pass\n"
        "    data = upload.read(10)\n"
    )
    assert [call for _, call in _unit_of_work_calls(ast.parse(route))] == [
        "ctx.uow()",
        "uow.begin_write()",
        "request.app.state.ctx.read()",
    ]
