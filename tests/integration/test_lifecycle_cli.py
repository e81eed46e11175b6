"""Time travel with OPCERT_FAKE_NOW: a platform built from the environment (as the CLI and the
API server are) shows each certificate's status on the faked day, through the CLI query, the
verify API and the independent verifier on the served status list; and legacy cards import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from opcert.interfaces.api.app import create_app
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from opcert.services.registry import parties as registry
from opcert.services.verification import query as certificates
from tests.integration.builders import id_number
from tests.integration.lifecycle_helpers import at, issue_on, spec_verdict, status_value


@pytest.fixture
def fake_now(platform, monkeypatch) -> Iterator:
    """``travel(day)`` -> (run CLI command, API client, now), all from OPCERT_FAKE_NOW."""
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    runner, opened = CliRunner(), []

    def travel(day: date):
        monkeypatch.setenv("OPCERT_FAKE_NOW", at(day).isoformat())
        cli_context.platform.cache_clear()
        built = cli_context.platform()
        client = TestClient(create_app(built))
        opened.append(client)

        def run(*args: str):
            result = runner.invoke(app, list(args))
            assert result.exit_code == 0, (result.stdout, result.stderr)
            return result.stdout

        return run, client, built.ctx.now()

    yield travel
    for client in opened:
        client.close()
    cli_context.platform.cache_clear()


def views(travel, day: date, row: dict, text: str) -> tuple[str, str, str, int]:
    run, client, now = travel(day)
    [shown] = json.loads(run("certificates", "show", row["id_number"], row["name"]))
    api = client.post("/api/v1/verify", json={"payload": text}).json()["verdict"]
    return shown["status"], api, spec_verdict(client, text, now), status_value(client, text)


def test_with_a_fake_now_every_view_agrees_on_lapse_no_review_expiry_and_supersession(
    ctx, clock, world, fake_now
):
    registry.add_institution(
        ctx, code="TRAIN-ZH", name="培训中心", region="440402", kind="training"
    )
    missed = issue_on(ctx, clock, world, date(2022, 3, 10))
    after = issue_on(ctx, clock, world, date(2023, 9, 1))
    reviewed = issue_on(ctx, clock, world, date(2022, 4, 1))
    texts = {n: certificates.current_credential(ctx, n, i) for n, i, _ in (missed, after, reviewed)}
    old_reviewed = texts[reviewed[0]]
    run, _, _ = fake_now(date(2025, 3, 1))
    run(
        "lifecycle",
        "review-apply",
        reviewed[0],
        "--item",
        reviewed[1],
        "--hours",
        "8",
        "--institution",
        "TRAIN-ZH",
    )
    run("lifecycle", "review-decide", reviewed[0], "--item", reviewed[1], "--passed")
    new_reviewed = certificates.current_credential(ctx, reviewed[0], reviewed[1])

    assert views(fake_now, date(2025, 3, 11), missed[2], texts[missed[0]]) == (
        "lapsed",
        "REVOKED",
        "REVOKED",
        1,
    )
    assert views(fake_now, date(2026, 9, 2), after[2], texts[after[0]]) == (
        "valid",
        "VALID",
        "VALID",
        0,
    )
    assert views(fake_now, date(2025, 4, 2), reviewed[2], old_reviewed)[1:] == (
        "SUPERSEDED",
        "SUPERSEDED",
        2,
    )
    status, api, spec, value = views(fake_now, date(2025, 4, 2), reviewed[2], new_reviewed)
    assert (status, api, spec, value) == ("valid", "VALID", "VALID", 0)
    run, _, _ = fake_now(date(2025, 4, 2))
    [shown] = json.loads(run("certificates", "show", reviewed[2]["id_number"], reviewed[2]["name"]))
    assert shown["reviewed_on"] == "2025-03-01"
    # Six years on, every certificate is expired, whatever happened before.
    for (number, item, row), day_after in (
        (missed, date(2028, 3, 11)),
        (after, date(2029, 9, 2)),
        (reviewed, date(2028, 4, 2)),
    ):
        text = certificates.current_credential(ctx, number, item)
        assert views(fake_now, day_after, row, text)[:3] == ("expired", "EXPIRED", "EXPIRED")


def test_legacy_cards_import_from_csv_show_in_the_query_and_convert_at_their_renewal(
    ctx, clock, world, fake_now, tmp_path
):
    holder = id_number()
    csv = tmp_path / "cards.csv"
    csv.write_text(
        "number,id_number,name,item,first_issued_on,valid_from,valid_to,review_due_on,authority\n"
        f"44040012345678,{holder},李四,1.1,2013-05-01,2020-08-01,2026-08-01,2023-08-01,CN-440400\n"
        "BAD,123,王五,1.1,2013-05-01,2020-08-01,2026-08-01,,CN-440400\n",
        encoding="utf-8",
    )
    run, _, _ = fake_now(date(2026, 6, 10))
    result = CliRunner().invoke(app, ["legacy", "import", str(csv)])
    assert result.exit_code == 0, result.stderr
    assert "imported 1" in result.stdout and "errors 1" in result.stdout
    [shown] = json.loads(run("certificates", "show", holder, "李四"))
    # Review due 2023-08-01 was never recorded: a missed review before the switch.
    assert (shown["form"], shown["status"], shown["valid_to"]) == (
        "legacy_card",
        "lapsed",
        "2026-08-01",
    )


def test_a_legacy_card_without_a_missed_review_is_valid_until_its_end_and_renews_electronically(
    ctx, clock, world, fake_now, tmp_path
):
    holder = id_number()
    csv = tmp_path / "cards.csv"
    csv.write_text(
        "number,id_number,name,item,first_issued_on,valid_from,valid_to,review_due_on,authority\n"
        f"44040012345679,{holder},李四,1.1,2013-05-01,2020-08-01,2026-08-01,,CN-440400\n",
        encoding="utf-8",
    )
    run, _, _ = fake_now(date(2026, 6, 10))
    run("legacy", "import", str(csv))
    [shown] = json.loads(run("certificates", "show", holder, "李四"))
    assert (shown["form"], shown["status"]) == ("legacy_card", "valid")
    run("lifecycle", "renew", "T" + holder, "--item", "1.1")
    [renewed] = json.loads(run("certificates", "show", holder, "李四"))
    assert (renewed["form"], renewed["valid_from"], renewed["valid_to"]) == (
        "electronic",
        "2026-06-10",
        "2032-06-10",
    )
    _, client, now = fake_now(date(2026, 8, 2))
    text = certificates.current_credential(ctx, "T" + holder, "1.1")
    assert spec_verdict(client, text, now) == "VALID"
