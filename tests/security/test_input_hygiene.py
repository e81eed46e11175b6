"""Input hygiene at the edge (issue 12, part 7), on SQLite and on PostgreSQL.

Each finding of the issue, reproduced and shown closed: NUL bytes (500s on PostgreSQL, six of
them anonymous), deep JSON, lone surrogates and integers of 2^63 and more (500s on SQLite), names
of zero-width, control, RTL-override, emoji or formula characters (signed into certificates),
the score "8_6" (stored as 86) and the date "2026-11-20garbage" (stored as a date).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from opcert.domain.errors import FieldError, ValidationFailed
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app as cli_app
from opcert.persistence.models import Certificate, Clue, ExamResult
from opcert.services.lifecycle import acts
from opcert.services.verification import clues
from opcert.services.verification import search as certificate_search
from tests.integration.builders import id_number, make_result
from tests.integration.conftest import START
from tests.integration.web_pages import csrf, solved_captcha

MINORITY = "阿依古丽·买买提"


def count(platform, model) -> int:
    with platform.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def post_results(client, world, rows):
    return client.post("/api/v1/exam-results", json={"results": rows}, headers=world.headers())


def post_raw(client, world, body: bytes):
    headers = {**world.headers(), "Content-Type": "application/json"}
    return client.post("/api/v1/exam-results", content=body, headers=headers)


def assert_refused(response, field: str, code: str = "UNSAFE_CHARACTER") -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == (field, code)


def issued(client, world, **row) -> dict:
    response = post_results(client, world, [make_result(**row)])
    [outcome] = response.json()["results"]
    assert outcome["outcome"] == "issued", outcome
    return outcome


# NUL and other unsafe characters, anonymous first -------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "options", "field"),
    [
        ("GET", "/api/v1/certificates?id_number=x&name=%E5%BC%A0%00", {}, "name"),
        ("GET", "/api/v1/certificates?id_number=%00&name=x", {}, "id_number"),
        ("GET", "/.well-known/opcert/status/a%00b", {}, "path"),
        ("GET", "/api/v1/cancellations?page=1%00", {}, "page"),
        ("POST", "/api/v1/verify", {"json": {"payload": "SC1:\x00"}}, "payload"),
        (
            "POST",
            "/api/v1/auth/token",
            {"data": {"username": "zh\x00", "password": "x"}},
            "username",
        ),
        ("GET", "/api/v1/certificates?id_number=x&name=%E2%80%AEabc", {}, "name"),
        ("POST", "/api/v1/verify", {"json": {"payload": "SC1:\u200b"}}, "payload"),
    ],
)
def test_an_anonymous_request_carrying_a_nul_or_invisible_character_is_refused_naming_its_field(
    client, world, method, url, options, field
):
    response = client.request(method, url, **options)
    assert_refused(response, field)
    assert "U+" in response.json()["detail_en"]


def test_a_nul_in_an_exam_result_is_refused_whole_and_nothing_is_stored(client, world, platform):
    response = post_results(client, world, [make_result(), make_result(name="张\x00三")])
    assert_refused(response, "results[1].name")
    assert count(platform, ExamResult) == 0


def test_a_nul_in_the_query_page_shows_the_query_form_again_with_the_message(client, world):
    page = client.get("/query").text
    form = {"csrf_token": csrf(page), "id_number": id_number(), "name": "张\x00三"}
    response = client.post("/query", data={**form, **solved_captcha(client, page)})
    assert response.status_code == 422
    assert 'name="id_number"' in response.text and 'name="name"' in response.text
    assert 'data-testid="refused-input"' in response.text and "U+0000" in response.text


def test_a_nul_in_a_fake_certificate_report_stores_no_clue(client, world, platform):
    token = csrf(client.get("/query").text)
    response = client.post("/report", data={"csrf_token": token, "details": "假证\x00"})
    assert response.status_code == 422 and "U+0000" in response.text
    assert count(platform, Clue) == 0


def test_an_rtl_override_in_the_holder_login_form_shows_the_login_form_again(client, world):
    token = csrf(client.get("/holder/login").text)
    form = {"csrf_token": token, "id_number": id_number(), "name": "张\u202e三"}
    response = client.post("/holder/login", data=form, follow_redirects=False)
    assert response.status_code == 422
    assert "U+202E" in response.text and 'name="id_number"' in response.text


def test_a_nul_in_a_page_address_gets_a_page_saying_so(client, world):
    response = client.get("/certificates/a%00b/1.1.pdf")
    assert response.status_code == 422 and "U+0000" in response.text


# Deep JSON, lone surrogates, big integers -----------------------------------------------------


@pytest.mark.parametrize("depth", [33, 100_000])
def test_json_nested_deeper_than_32_levels_is_refused(client, world, depth):
    body = b'{"payload": ' + b"[" * depth + b"]" * depth + b"}"
    response = client.post("/api/v1/verify", content=body)
    assert response.status_code == 422
    assert response.json()["code"] == "JSON_TOO_DEEP"


def test_json_nested_32_levels_deep_is_read(client, world):
    body = b'{"payload": "SC1:x", "extra": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = client.post("/api/v1/verify", content=body)
    assert response.status_code != 500
    assert response.json().get("code") != "JSON_TOO_DEEP"


def test_a_lone_surrogate_in_a_name_is_refused_and_nothing_is_stored(client, world, platform):
    body = json.dumps({"results": [make_result(name="张\ud800")]}).encode()
    assert b"\\ud800" in body
    assert_refused(post_raw(client, world, body), "results[0].name")
    assert count(platform, ExamResult) == 0


def test_a_lone_surrogate_in_a_key_is_refused_on_its_object(client, world):
    body = b'{"results": [{"\\udfff": 1}]}'
    assert_refused(post_raw(client, world, body), "results[0]")


@pytest.mark.parametrize(
    ("field", "value"), [("theory_score", 2**63), ("ref", 2**63), ("practical_score", -(2**64))]
)
def test_an_integer_of_2_to_the_63_or_more_is_refused_naming_its_field(
    client, world, platform, field, value
):
    response = post_results(client, world, [make_result(**{field: value})])
    assert_refused(response, f"results[0].{field}", "INTEGER_TOO_LARGE")
    assert count(platform, ExamResult) == 0


def test_a_page_number_of_2_to_the_63_is_refused(client, world):
    response = client.get("/api/v1/cancellations", params={"page": 2**63})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "page"


def test_nan_is_not_json(client, world):
    response = post_raw(client, world, b'{"results": [{"theory_score": NaN}]}')
    assert response.status_code == 400 and response.json()["code"] == "MALFORMED_JSON"


def test_a_body_larger_than_4_mib_is_refused_before_it_is_parsed(client, world):
    body = b'{"payload": "' + b"a" * (4 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/verify", content=body)
    assert response.status_code == 413 and response.json()["code"] == "BODY_TOO_LARGE"


# Names ----------------------------------------------------------------------------------------

BAD_NAMES = [
    ("张\u200b三", "UNSAFE_CHARACTER"),  # zero-width space
    ("张\u0007三", "UNSAFE_CHARACTER"),  # control (bell)
    ("\u202e三张", "UNSAFE_CHARACTER"),  # right-to-left override
    ("张\u2066三", "UNSAFE_CHARACTER"),  # bidi isolate
    ("张三😀", "NAME_CHARACTER"),  # emoji
    ("=HYPERLINK(1)", "NAME_CHARACTER"),  # formula
    ("+张三", "NAME_CHARACTER"),
    ("@张三", "NAME_CHARACTER"),
    ("-张三", "NAME_CHARACTER"),
]


@pytest.mark.parametrize(("name", "code"), BAD_NAMES)
def test_a_name_of_invisible_emoji_or_formula_characters_is_never_signed_into_a_certificate(
    client, world, platform, name, code
):
    response = post_results(client, world, [make_result(name=name)])
    if code == "UNSAFE_CHARACTER":
        assert_refused(response, "results[0].name")
    else:
        [outcome] = response.json()["results"]
        assert outcome["outcome"] == "rejected"
        assert [(e["field"], e["code"]) for e in outcome["errors"]] == [("name", code)]
        assert "U+" in outcome["errors"][0]["message_en"]
    assert count(platform, Certificate) == 0


@pytest.fixture
def cli(platform, monkeypatch):
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    cli_context.platform.cache_clear()
    yield CliRunner()
    cli_context.platform.cache_clear()


def test_the_same_names_imported_from_a_file_by_the_cli_are_rejected_row_by_row(
    cli, world, platform, tmp_path
):
    rows = [make_result(name=name) for name, _ in BAD_NAMES]
    source = tmp_path / "results.json"
    source.write_text(json.dumps({"results": rows}), encoding="utf-8")
    result = cli.invoke(cli_app, ["results", "import", str(source), "--institution", "EXAM-ZH"])
    assert result.exit_code == 0, result.stderr
    assert count(platform, Certificate) == 0
    assert "rejected" in result.stdout + result.stderr


def test_the_legacy_import_refuses_an_invisible_name_and_a_garbage_date(
    cli, world, platform, tmp_path
):
    header = (
        "number,id_number,name,item,first_issued_on,valid_from,valid_to,review_due_on,authority"
    )
    source = tmp_path / "cards.csv"
    source.write_text(
        f"{header}\n"
        f"44040012345678,{id_number()},李\u200b四,1.1,2013-05-01,2020-08-01,2026-08-01,,CN-440400\n"
        f"44040012345679,{id_number()},王五,1.1,2013-05-01x,2020-08-01,2026-08-01,,CN-440400\n",
        encoding="utf-8",
    )
    result = cli.invoke(cli_app, ["legacy", "import", str(source)])
    assert result.exit_code == 0, result.stderr
    assert "imported 0" in result.stdout and "errors 2" in result.stdout
    assert count(platform, Certificate) == 0


def test_every_spelling_of_the_middle_dot_and_no_dot_at_all_find_the_same_person(client, world):
    holder = id_number()
    issued(client, world, id_number=holder, name="阿依古丽•买买提")
    for typed in ("阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽.买买提", "阿依古丽 ・ 买买提"):
        response = client.get("/api/v1/certificates", params={"id_number": holder, "name": typed})
        assert response.status_code == 200, typed
        assert response.json()["certificates"][0]["name"] == MINORITY
    response = client.get(
        "/api/v1/certificates", params={"id_number": holder, "name": "阿依古丽买买提"}
    )
    assert response.status_code == 200  # issue 14: a name written without its separator
    assert response.json()["certificates"][0]["name"] == MINORITY
    response = client.get(
        "/api/v1/certificates", params={"id_number": holder, "name": "阿依古丽买买"}
    )
    assert response.status_code == 404


def test_the_holder_logs_in_with_another_spelling_of_the_dot(client, world):
    holder = id_number()
    issued(client, world, id_number=holder, name=MINORITY)
    token = csrf(client.get("/holder/login").text)
    form = {"csrf_token": token, "id_number": holder, "name": "阿依古丽.买买提"}
    response = client.post("/holder/login", data=form, follow_redirects=False)
    assert response.status_code == 303


def test_an_officer_finds_a_minority_name_typed_with_a_full_stop(client, world, ctx):
    issued(client, world, name=MINORITY)
    found = certificate_search.search(ctx, world.zhuhai_officer, "阿依古丽.买买提")
    assert [row["name"] for row in found] == [MINORITY]


def test_a_correction_follows_the_name_rule(client, world, ctx, platform):
    outcome = issued(client, world)
    number, item = outcome["certificate_no"], "1.2"
    with pytest.raises(FieldError) as raised:
        acts.correct(ctx, number, item, name="张\u200b三", reason="户籍更正")
    assert raised.value.code == "NAME_CHARACTER"
    acts.correct(ctx, number, item, name="阿依古丽 • 买买提", reason="户籍更正")
    with platform.engine.connect() as connection:
        stored = connection.execute(select(Certificate.name)).scalar_one()
    assert stored == MINORITY


def test_a_fake_certificate_report_refuses_a_formula_name(ctx, platform):
    with pytest.raises(ValidationFailed) as raised:
        clues.report_fake(ctx, details="见到一张假证", name="=HYPERLINK(1)")
    assert raised.value.errors[0].code == "NAME_CHARACTER"
    assert count(platform, Clue) == 0


# Strict scores and dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"theory_score": "8_6"}, "theory_score", "SCORE_NOT_NUMBER"),
        ({"theory_score": "1e2"}, "theory_score", "SCORE_NOT_NUMBER"),
        ({"theory_score": "8 6"}, "theory_score", "SCORE_NOT_NUMBER"),
        ({"theory_score": True}, "theory_score", "SCORE_NOT_NUMBER"),
        ({"exam_date": "2026-11-20garbage"}, "exam_date", "DATE_FORMAT"),
        ({"exam_date": "2026-11-19T08:00"}, "exam_date", "DATE_FORMAT"),
    ],
)
def test_a_score_or_date_with_anything_extra_is_rejected_not_guessed(
    client, world, platform, overrides, field, code
):
    [outcome] = post_results(client, world, [make_result(**overrides)]).json()["results"]
    assert outcome["outcome"] == "rejected"
    assert [(e["field"], e["code"]) for e in outcome["errors"]] == [(field, code)]
    assert count(platform, Certificate) == 0


@pytest.mark.parametrize("typed", ["2026/11/19", "2026.11.19", "2026-11-19"])
def test_a_date_with_slashes_or_dots_is_the_same_day(client, world, platform, typed):
    issued(client, world, exam_date=typed)
    with platform.engine.connect() as connection:
        stored = connection.execute(select(ExamResult.exam_on)).scalar_one()
    assert stored == date(2026, 11, 19)


def test_an_identity_review_id_past_32_bits_is_refused_not_sent_to_the_database(client, world):
    token = csrf(client.get("/officer/login").text)
    form = {"csrf_token": token, "username": "zh", "password": world.password}
    assert client.post("/officer/login", data=form, follow_redirects=False).status_code == 303
    response = client.get(f"/officer/identity-reviews/{2**31}/photo")
    assert response.status_code == 422


def test_a_cli_argument_with_an_invisible_character_is_one_line_and_exit_status_2(platform):
    opcert = Path(sys.executable).parent / "opcert"
    env = {
        "OPCERT_DATA_DIR": str(platform.settings.data_dir),
        "OPCERT_DATABASE_URL": platform.settings.resolved_database_url,
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [str(opcert), "lifecycle", "correct", "X", "1.2", "--name", "张\u202e三"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "U+202E" in done.stderr
