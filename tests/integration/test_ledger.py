"""The hash-chained ledger covers the loop from exam to issuance and reveals tampering."""

from __future__ import annotations

from sqlalchemy import text

from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import ledger
from tests.integration.builders import make_result


def fill(ctx, world) -> None:
    submit_results(ctx, world.zhuhai, [make_result(), make_result(theory_score=60), make_result()])


def report(ctx):
    with ctx.uow() as uow:
        return ledger.verify(uow)


def test_the_ledger_records_every_row_and_verifies(ctx, world):
    fill(ctx, world)
    result = report(ctx)
    assert result.ok, result.problems
    assert result.entries == 3
    with ctx.uow() as uow:
        kinds = [e.kind for e in uow.ledger.stream()]
    assert kinds == ["application.issued", "result.failed", "application.issued"]


def test_an_edited_entry_is_detected(ctx, world, platform):
    fill(ctx, world)
    with platform.engine.begin() as connection:
        connection.execute(
            text("UPDATE ledger_entries SET body = replace(body, '1.2', '1.1') WHERE seq = 2")
        )
    result = report(ctx)
    assert not result.ok
    assert any("#2" in problem for problem in result.problems)


def test_a_deleted_entry_is_detected(ctx, world, platform):
    fill(ctx, world)
    with platform.engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entries WHERE seq = 2"))
    assert not report(ctx).ok


def test_a_removed_last_entry_is_detected(ctx, world, platform):
    fill(ctx, world)
    with platform.engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entries WHERE seq = 3"))
    assert not report(ctx).ok


def test_reordered_entries_are_detected(ctx, world, platform):
    fill(ctx, world)
    with platform.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET seq = 100 WHERE seq = 1"))
        connection.execute(text("UPDATE ledger_entries SET seq = 1 WHERE seq = 2"))
        connection.execute(text("UPDATE ledger_entries SET seq = 2 WHERE seq = 100"))
    assert not report(ctx).ok
