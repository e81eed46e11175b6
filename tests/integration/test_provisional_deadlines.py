"""A deadline that runs past the official holiday calendar is marked provisional (暂定) wherever an
officer reads it: the API, the officer pages and the console. The test files an application a
week before Spring Festival of the first year the calendar does not cover, so the plain-weekday
count runs straight through the holiday it cannot know."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from typer.testing import CliRunner

from opcert.domain.clock import SHANGHAI
from opcert.domain.workdays import calendar_is_authoritative
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from opcert.services.intake.pipeline import submit_results
from opcert.services.registry import parties as registry
from tests.integration.builders import make_result
from tests.integration.test_review import token
from tests.integration.test_web_staff import officer_login
from tests.unit.domain.test_workdays_provisional import first_uncovered_spring_festival


def _file(ctx, world, day: date) -> str:  # type: ignore[no-untyped-def]
    row = make_result(exam_point="EP-500000-01", exam_date=(day - timedelta(days=1)).isoformat())
    [outcome] = submit_results(ctx, world.chongqing, [row])
    assert outcome.outcome == "in_review" and outcome.application_id
    return outcome.application_id


def test_a_deadline_over_spring_festival_of_an_uncovered_year_is_marked_provisional_everywhere(
    client, world, ctx, clock, monkeypatch
):
    registry.set_auto_approve(ctx, "CN-500000", False)
    known = _file(ctx, world, clock.now().date())  # due 2026-12-18, inside the calendar
    festival = first_uncovered_spring_festival()
    filed = festival - timedelta(days=7)
    clock.set(datetime(filed.year, filed.month, filed.day, 10, 0, tzinfo=SHANGHAI))
    guessed = _file(ctx, world, filed)

    listed = client.get("/api/v1/applications", headers=token(client, world, "cq")).json()
    by_id = {entry["id"]: entry for entry in listed["applications"]}
    assert by_id[known]["provisional"] is False
    entry = by_id[guessed]
    assert entry["provisional"] is True
    assert not calendar_is_authoritative(date.fromisoformat(entry["due_on"]))
    # Counted Monday to Friday straight through the festival week it cannot know.
    assert date.fromisoformat(entry["due_on"]) > festival

    officer_login(client, world)
    queue = client.get("/officer/queue").text
    assert queue.count('data-testid="deadline-provisional"') == 1 and "暂定" in queue
    detail = client.get(f"/officer/applications/{guessed}").text
    assert 'data-testid="deadline-provisional"' in detail
    assert (
        'data-testid="deadline-provisional"'
        not in client.get(f"/officer/applications/{known}").text
    )

    platform = client.app.state.platform
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", clock.now().isoformat())
    cli_context.platform.cache_clear()
    try:
        listed_cli = CliRunner().invoke(app, ["applications", "list", "--officer", "cq"])
    finally:
        cli_context.platform.cache_clear()
    assert listed_cli.exit_code == 0, listed_cli.stderr
    lines = {line.split("\t")[0]: line for line in listed_cli.stdout.splitlines()}
    assert "暂定 / provisional" in lines[guessed]
    assert "暂定" not in lines[known]
