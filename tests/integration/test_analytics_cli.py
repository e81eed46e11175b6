"""opcert analytics run from the command line: Chinese date forms, a bad date named by its option."""

from __future__ import annotations

import json

from tests.integration.cli_runner import cli_of


def test_the_run_takes_a_chinese_date_and_prints_the_specs_json(platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with cli_of(platform, monkeypatch) as run:
        result = run("analytics", "run", "--from", "2001年1月1日", "--to", "2001/12/31", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output.strip().splitlines()[-1])
    assert set(body) == {"run", "tests", "signals"} and body["tests"] == 0


def test_a_date_that_is_not_one_is_refused_naming_the_option(platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with cli_of(platform, monkeypatch) as run:
        result = run("analytics", "run", "--from", "2001-02-30")
    assert result.exit_code != 0
    assert getattr(result.exception, "field", None) == "from"
    assert "不是日历上存在的日期" in str(result.exception)


def test_the_far_list_of_a_span_with_no_exams_is_an_empty_json_array(platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with cli_of(platform, monkeypatch) as run:
        result = run("analytics", "far", "--from", "2001-01-01", "--to", "2001-12-31", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == []


def test_a_far_list_distance_of_zero_is_refused_naming_the_option(platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with cli_of(platform, monkeypatch) as run:
        result = run("analytics", "far", "--km", "0")
    assert result.exit_code != 0
    assert "[km]" in result.output and "距离须在 0 与 10000 公里之间" in result.output
