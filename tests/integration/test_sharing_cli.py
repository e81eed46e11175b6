"""Data sharing at the console (issue 17), on both databases: registering subscribers (what is
shown once, what is refused and why, nothing stored on a refusal), the ledger of every change,
an employer's roster, the idempotent expiry events and one dispatch round."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from opcert.services.intake.pipeline import submit_results
from opcert.services.sharing import subscribers
from opcert.services.verification import query as certificates
from tests.integration.builders import clerk_workbook, id_number, make_result
from tests.integration.cli_runner import cli_of
from tests.integration.lifecycle_helpers import issue_on
from tests.integration.sharing_world import USCC, pull_all, subscribe

ADD = ("subscribers", "add", "--name", "某市监管平台", "--url", "http://127.0.0.1:9/hooks")
GRANT = ("--events", "cn.opcert.certificate.revoked,cn.opcert.certificate.issued",
         "--fields", "number,status", "--regions", "440400,500000")  # fmt: skip


@pytest.fixture
def cli(platform, monkeypatch):
    with cli_of(platform, monkeypatch) as run:
        yield run


def _ledger(ctx, code: str) -> list[str]:
    with ctx.reader() as uow:
        return [e.kind for e in uow.ledger.entries_for(f"subscriber:{code}")]


def _stored(ctx, code: str):
    with ctx.reader() as uow:
        row = uow.sharing.subscriber(code)
        if row is not None:
            uow.session.expunge(row)
        return row


def test_adding_a_subscriber_prints_its_api_key_and_its_secret_once_the_secret_last(ctx, cli):
    result = cli(*ADD, "--code", "CITY-ZH", *GRANT)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert "CITY-ZH" in lines[0]
    assert lines[-1].startswith("whsec_") and " " not in lines[-1]
    [api_key] = [line for line in lines if line.startswith("osk_")]
    row = _stored(ctx, "CITY-ZH")
    assert row.event_types == ["cn.opcert.certificate.revoked", "cn.opcert.certificate.issued"]
    assert (row.fields, row.regions, row.signing) == (["number", "status"], ["440400", "500000"],
                                                      "hmac")  # fmt: skip
    assert subscribers.webhook_secrets(ctx.sharing_config(), row, ctx.now()) == [lines[-1]]
    assert subscribers.authenticate(ctx, api_key).code == "CITY-ZH"
    assert _ledger(ctx, "CITY-ZH") == ["subscriber.added"]
    listed = json.loads(cli("subscribers", "list", "--json").stdout)
    assert [(s["code"], s["active"], s["uscc"]) for s in listed] == [("CITY-ZH", True, None)]
    assert listed[0]["key_prefix"] == api_key[:12]  # to tell keys apart; never the key itself
    assert api_key not in json.dumps(listed) and "whsec_" not in json.dumps(listed)


def test_an_ed25519_employer_gets_the_platforms_public_key_and_no_secret(ctx, cli, client):
    result = cli(*ADD, "--code", "EMP-1", *GRANT, "--signing", "ed25519", "--uscc", USCC)
    assert result.exit_code == 0, result.output
    assert "whsec_" not in result.stdout
    published = client.get("/.well-known/opcert/webhook-key").json()
    assert published["alg"] == "Ed25519" and published["key"].startswith("whpk_")
    assert published["key"] in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("osk_")
    assert _stored(ctx, "EMP-1").uscc == USCC


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("--url", "ftp://example.com/hooks"), "url"),
        (("--url", "http://169.254.169.254/latest/meta-data"), "url"),
        (("--url", "http://[fe80::1]/hooks"), "url"),
        (("--url", "http://metadata.google.internal/hooks"), "url"),
        (("--url", "http://user:pw@127.0.0.1/hooks"), "url"),
        (("--uscc", "91440400MA4UH1234X"), "uscc"),
        (("--fields", "number,phone"), "fields"),
        (("--events", "cn.opcert.certificate.revoked,cn.opcert.certificate.burnt"), "events"),
        (("--regions", "440400,999999"), "regions"),
        (("--signing", "rsa"), "signing"),
        (("--code", "城市平台"), "code"),
    ],
)
def test_a_bad_registration_is_refused_naming_its_field_and_stores_nothing(ctx, cli, change, field):
    options = dict(zip((*ADD[2:], *GRANT)[::2], (*ADD[2:], *GRANT)[1::2], strict=True))
    options.update({"--code": "CITY-ZH", change[0]: change[1]})
    result = cli("subscribers", "add", *(part for pair in options.items() for part in pair))
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("错误 / error:")
    assert f"{field}: " in line, line
    assert "whsec_" not in result.output and "osk_" not in result.output
    assert subscribers.list_subscribers(ctx) == []
    assert _ledger(ctx, "CITY-ZH") == []


def test_a_taken_code_is_refused(ctx, cli):
    assert cli(*ADD, "--code", "CITY-ZH", *GRANT).exit_code == 0
    again = cli(*ADD, "--code", "CITY-ZH", *GRANT)
    assert again.exit_code == 1 and "CITY-ZH" in again.stderr and "[code]" in again.stderr
    assert len(subscribers.list_subscribers(ctx)) == 1


def test_disable_enable_and_rotation_are_in_the_ledger_and_the_old_secret_still_signs(ctx, cli):
    added = cli(*ADD, "--code", "CITY-ZH", *GRANT).stdout.strip().splitlines()
    old_secret, old_key = added[-1], next(x for x in added if x.startswith("osk_"))
    assert cli("subscribers", "disable", "CITY-ZH", "--reason", "接收系统停机").exit_code == 0
    assert _stored(ctx, "CITY-ZH").disabled_reason == "接收系统停机"
    assert cli("subscribers", "disable", "CITY-ZH", "--reason", " ").exit_code == 1
    assert cli("subscribers", "enable", "CITY-ZH", "--reason", "恢复").exit_code == 0
    rotated = cli("subscribers", "rotate-secret", "CITY-ZH")
    new_secret = rotated.stdout.strip().splitlines()[-1]
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    row = _stored(ctx, "CITY-ZH")
    assert subscribers.webhook_secrets(ctx.sharing_config(), row, ctx.now()) == [
        new_secret,
        old_secret,
    ]
    new_key = cli("subscribers", "rotate-secret", "CITY-ZH", "--api-key").stdout.split()[-1]
    assert new_key.startswith("osk_") and new_key != old_key
    assert subscribers.authenticate(ctx, new_key).code == "CITY-ZH"
    assert _ledger(ctx, "CITY-ZH") == [
        "subscriber.added",
        "subscriber.disabled",
        "subscriber.enabled",
        "subscriber.secret_rotated",
        "subscriber.secret_rotated",
    ]
    missing = cli("subscribers", "enable", "NOBODY", "--reason", "x")
    assert missing.exit_code == 1 and "NOBODY" in missing.stderr


def test_an_employers_roster_replaces_the_last_whole_and_a_bad_row_changes_nothing(
    ctx, cli, tmp_path
):
    subscribe(ctx, "EMP-1", uscc=USCC)
    first, second = id_number(), id_number(division="500103")
    good = tmp_path / "roster.csv"
    good.write_text(f"id_number,name,item\n{first},张三,1.2\n{second},李四,\n", encoding="utf-8")
    done = cli("subscribers", "roster", "EMP-1", good)
    assert done.exit_code == 0, done.output
    assert "2" in done.stdout

    wrong_digit = first[:-1] + ("0" if first[-1] != "0" else "1")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"身份证号码,姓名,操作项目\n{second},王五,1.2\n{wrong_digit},赵六,1.2\n"
        f"{second},,99.1\n{second},王五,1.2\n",
        encoding="utf-8",
    )
    refused = cli("subscribers", "roster", "EMP-1", bad)
    assert refused.exit_code == 1
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1 and "未作任何更改" in line
    for where in ("row 3 id_number", "row 4 name", "row 4 item", "row 5 id_number"):
        assert where in line, where
    assert "第 3 行 id_number" in line
    with ctx.reader() as uow:
        employer = uow.sharing.subscriber("EMP-1")
        kept = [(w.id_number, w.item_code) for w in uow.sharing.roster(employer.id)]
    assert sorted(kept) == sorted([(first, "1.2"), (second, "")])

    sheet = tmp_path / "roster.xlsx"
    sheet.write_bytes(clerk_workbook([[second, "李四", "1.2"]], ["证件号码", "姓名", "操作项目"]))
    assert cli("subscribers", "roster", "EMP-1", sheet).exit_code == 0
    assert _ledger(ctx, "EMP-1") == [
        "subscriber.added",
        "subscriber.roster_replaced",
        "subscriber.roster_replaced",
    ]


def test_a_roster_for_a_subscriber_that_is_not_an_employer_is_refused(ctx, cli, tmp_path):
    subscribe(ctx, "CITY-ZH")
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id_number,name\n{id_number()},张三\n", encoding="utf-8")
    refused = cli("subscribers", "roster", "CITY-ZH", roster)
    assert refused.exit_code == 1 and "NOT_AN_EMPLOYER" not in refused.stderr
    assert "不是用人单位" in refused.stderr and "--uscc" in refused.stderr
    text = tmp_path / "roster.txt"
    text.write_text("id_number,name\n", encoding="utf-8")
    assert ".xlsx" in cli("subscribers", "roster", "CITY-ZH", text).stderr
    assert _ledger(ctx, "CITY-ZH") == ["subscriber.added"]


def test_the_expiry_events_are_written_once_however_often_the_job_runs(
    ctx, clock, world, cli, client
):
    key = subscribe(ctx, "ALL").api_key
    soon, _, row = issue_on(ctx, clock, world, date(2026, 11, 20))
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    day = date.fromisoformat(shown["valid_to"]) - timedelta(days=20)
    ended, _, _ = issue_on(ctx, clock, world, date(2026, 11, 20) - timedelta(days=45))
    later, _, _ = issue_on(ctx, clock, world, date(2026, 11, 20) + timedelta(days=60))
    issue_on(ctx, clock, world, date(2026, 11, 20) + timedelta(days=200))  # not owed yet

    first = cli("events", "due", "--date", day.isoformat(), "--json")
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)
    assert (counts["expiring_90"], counts["expiring_30"], counts["expired"]) == (1, 1, 1)
    for again in (day.isoformat(), day.isoformat(), (day + timedelta(days=1)).isoformat()):
        repeat = json.loads(cli("events", "due", "--date", again, "--json").stdout)
        assert (repeat["expiring_90"], repeat["expiring_30"], repeat["expired"]) == (0, 0, 0)

    events, _ = pull_all(client, key)
    due = [(e["type"].rsplit(".", 1)[1], e["subject"]) for e in events
           if e["type"].endswith((".expiring", ".expired"))]  # fmt: skip
    assert sorted(due) == sorted([("expiring", soon), ("expired", ended), ("expiring", later)])
    bad = cli("events", "due", "--date", "2032-02-30")
    assert bad.exit_code == 1 and "[date]" in bad.stderr


def test_one_dispatch_round_ends_and_says_what_it_did(ctx, world, cli):
    subscribe(ctx, "CITY-ZH", regions=["440400"])  # its URL is a closed port: the send fails
    submit_results(ctx, world.zhuhai, [make_result()])
    result = cli("dispatch", "--once")
    assert result.exit_code == 0, result.output
    assert "投递结束 / dispatch ended" in result.stdout
    status = json.loads(cli("subscribers", "status", "--json").stdout)
    assert [(s["code"], s["pending"]) for s in status] == [("CITY-ZH", 3)]
