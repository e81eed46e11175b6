"""Issue 12, part 8: the ledger covers every column and is anchored by root-signed checkpoints;
logs hold no full ID number and no name; the data directory is its owner's alone."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from opcert.bootstrap import build
from opcert.credential.jws import compact_json, sign_compact
from opcert.credential.keys import SoftwareSigner, generate_private_key, kid_b64
from opcert.credential.ledger_checkpoint import CHECKPOINT_TYP
from opcert.interfaces import asgi, log_privacy
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app as cli_app
from opcert.persistence.database import make_engine
from opcert.persistence.models import LedgerCheckpoint, LedgerEntry, LedgerHead, Person
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import ledger, ledger_anchor
from tests.integration.builders import id_number, make_result
from tests.integration.conftest import START

HOLDER_NAME = "欧阳娜娜"


def fill(ctx, world, rows: int = 3) -> None:
    submit_results(ctx, world.zhuhai, [make_result() for _ in range(rows)])


def chain_report(ctx) -> ledger.LedgerReport:
    with ctx.uow() as uow:
        return ledger.verify(uow)


def anchors(ctx, given: list[tuple[str, str]], **options) -> list[str]:
    with ctx.uow() as uow:
        return ledger_anchor.check(uow, given, **options)[1]


@pytest.fixture
def cli(platform, monkeypatch):
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    cli_context.platform.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli_app, list(args))
    cli_context.platform.cache_clear()


# -- every column is covered -----------------------------------------------------------------


def _edit(column: str, entry: LedgerEntry) -> object:
    edits = {
        "at": entry.at + timedelta(seconds=1),
        "actor": "institution:someone-else",
        "kind": "application.rejected",
        "subject": "T000000000000000000",
        "body": entry.body.replace('"1.2"', '"1.1"'),
        "prev_hash": "f" * 64,
    }
    return edits[column]


@pytest.mark.parametrize("column", ["at", "actor", "kind", "subject", "body", "prev_hash"])
def test_changing_any_column_of_an_entry_breaks_ledger_verify(ctx, world, platform, column):
    fill(ctx, world)
    assert chain_report(ctx).ok
    with ctx.uow() as uow:
        entry = uow.ledger.entry(2)
        assert entry is not None
        value = _edit(column, entry)
    with platform.engine.begin() as connection:
        connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 2).values({column: value}))

    result = chain_report(ctx)

    assert not result.ok
    assert any(problem.startswith("#2:") for problem in result.problems), result.problems


@pytest.mark.parametrize("body", ["[]", "not json", "", '{"seq": "2"}'])
def test_a_body_replaced_by_anything_is_reported_not_crashed_on(ctx, world, platform, body):
    fill(ctx, world)
    with platform.engine.begin() as connection:
        connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 2).values(body=body))
    result = chain_report(ctx)
    assert not result.ok
    assert any("#2:" in problem for problem in result.problems)


def test_a_moved_sequence_number_breaks_ledger_verify(ctx, world, platform):
    fill(ctx, world)
    with platform.engine.begin() as connection:
        connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 3).values(seq=4))
        connection.execute(update(LedgerHead).values(seq=4))
    assert not chain_report(ctx).ok


def test_the_command_line_fails_on_an_edited_actor(cli, ctx, world, platform):
    fill(ctx, world)
    assert cli("ledger", "verify").exit_code == 0
    with platform.engine.begin() as connection:
        connection.execute(update(LedgerEntry).values(actor="officer:nobody"))
    result = cli("ledger", "verify")
    assert result.exit_code == 1
    assert "hash mismatch" in result.stderr


# -- anchoring ---------------------------------------------------------------------------------


def _truncate_and_rewrite_head(platform, keep: int) -> None:
    """What an attacker with database access does: cut the tail, move the head onto the last
    remaining entry, and drop the checkpoints kept in the database."""
    with platform.engine.begin() as connection:
        connection.execute(delete(LedgerEntry).where(LedgerEntry.seq > keep))
        tip = connection.execute(select(LedgerEntry.hash).where(LedgerEntry.seq == keep)).scalar()
        connection.execute(update(LedgerHead).values(seq=keep, hash=tip))
        connection.execute(delete(LedgerCheckpoint))


def test_a_truncated_tail_with_a_rewritten_head_is_caught_by_an_earlier_checkpoint(
    ctx, world, platform, cli, tmp_path
):
    fill(ctx, world, rows=2)
    first = ledger_anchor.checkpoint(ctx)
    fill(ctx, world, rows=3)
    second = ledger_anchor.checkpoint(ctx)
    (tmp_path / "anchors.jws").write_text(f"{first.jws}\n{second.jws}\n")
    assert second.seq == 5

    _truncate_and_rewrite_head(platform, keep=3)

    assert chain_report(ctx).ok  # the chain alone is consistent again
    problems = anchors(ctx, [("anchors:2", second.jws)])
    assert any("tail was cut" in p for p in problems), problems
    assert anchors(ctx, [("anchors:1", first.jws)]) == []  # the prefix it pins is intact
    result = cli("ledger", "verify", "--checkpoint", str(tmp_path / "anchors.jws"))
    assert result.exit_code == 1
    assert "tail was cut" in result.stderr


def test_a_consistently_rewritten_chain_is_caught_by_an_earlier_checkpoint(ctx, world, platform):
    fill(ctx, world, rows=3)
    signed = ledger_anchor.checkpoint(ctx)
    with ctx.uow() as uow:
        rows = [(e.seq, e.at, e.actor, e.kind, e.subject, e.body) for e in uow.ledger.stream()]
    # Rewrite entry 1 and re-hash everything after it under the platform's own rule.
    tip = "0" * 64
    with platform.engine.begin() as connection:
        for seq, at, actor, kind, subject, body in rows:
            if seq == 1:
                actor = "institution:forged"
            digest = ledger.entry_hash(
                seq=seq, at=at, actor=actor, kind=kind, subject=subject, body=body, prev_hash=tip
            )
            connection.execute(
                update(LedgerEntry)
                .where(LedgerEntry.seq == seq)
                .values(actor=actor, prev_hash=tip, hash=digest)
            )
            tip = digest
        connection.execute(update(LedgerHead).values(hash=tip))
        connection.execute(delete(LedgerCheckpoint))

    assert chain_report(ctx).ok
    problems = anchors(ctx, [("file", signed.jws)])
    assert any("was rewritten" in p for p in problems), problems


def test_checkpoints_kept_in_the_database_are_checked_without_a_file(ctx, world, platform):
    fill(ctx, world, rows=3)
    ledger_anchor.checkpoint(ctx)
    with platform.engine.begin() as connection:
        connection.execute(delete(LedgerEntry).where(LedgerEntry.seq == 3))
        tip = connection.execute(select(LedgerEntry.hash).where(LedgerEntry.seq == 2)).scalar()
        connection.execute(update(LedgerHead).values(seq=2, hash=tip))
    assert chain_report(ctx).ok
    assert any("tail was cut" in p for p in anchors(ctx, []))


def test_the_checkpoint_command_prints_one_line_signed_by_the_root_key(cli, ctx, world):
    fill(ctx, world, rows=2)
    result = cli("ledger", "checkpoint")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].count(".") == 2
    with ctx.uow() as uow:
        kid = uow.keys.active_for("CN").kid
        assert anchors(ctx, [("printed", lines[0])], include_stored=False) == []
    header = json.loads(_b64(lines[0].split(".")[0]))
    payload = json.loads(_b64(lines[0].split(".")[1]))
    assert header == {"alg": "EdDSA", "kid": kid, "typ": CHECKPOINT_TYP}
    assert payload["seq"] == 2 and payload["iat"] == int(START.timestamp())


def test_a_checkpoint_with_a_forged_signature_is_refused(ctx, world):
    fill(ctx, world, rows=2)
    genuine = ledger_anchor.checkpoint(ctx)
    with ctx.uow() as uow:
        root_kid = uow.keys.active_for("CN").kid
        seq, digest = uow.ledger.head()
    impostor = SoftwareSigner(generate_private_key())
    forged = sign_compact(
        {"alg": "EdDSA", "kid": root_kid, "typ": CHECKPOINT_TYP},
        compact_json({"iss": "CN", "seq": seq + 5, "hash": "a" * 64, "iat": 1}),
        impostor,
    )
    own_kid = sign_compact(
        {"alg": "EdDSA", "kid": kid_b64(impostor.kid), "typ": CHECKPOINT_TYP},
        compact_json({"iss": "CN", "seq": seq, "hash": digest, "iat": 1}),
        impostor,
    )
    header, _, signature = genuine.jws.split(".")
    altered = f"{header}.{_b64e(compact_json({'iss': 'CN', 'seq': 0, 'hash': '0' * 64, 'iat': 1}))}"
    altered += f".{signature}"

    for jws in (forged, own_kid, altered, "not-a-jws"):
        problems = anchors(ctx, [("given", jws)], include_stored=False)
        assert len(problems) == 1 and "checkpoint refused" in problems[0], (jws, problems)


def test_a_checkpoint_is_refused_when_the_pinned_root_fingerprint_differs(ctx, world):
    fill(ctx, world, rows=1)
    signed = ledger_anchor.checkpoint(ctx)
    with ctx.uow() as uow:
        right = ctx.keys.root_fingerprint(uow)
    for pinned in (right, right.replace(" ", "").lower()):
        assert (
            anchors(ctx, [("f", signed.jws)], root_fingerprint=pinned, include_stored=False) == []
        )
    wrong = anchors(ctx, [("f", signed.jws)], root_fingerprint="00" * 32, include_stored=False)
    assert wrong and "pinned" in wrong[0]


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64e(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- logs --------------------------------------------------------------------------------------


@pytest.fixture
def fresh_logging() -> Iterator[None]:
    """Start without the masking installed, as a new server process does; restore afterwards."""
    factory = logging.getLogRecordFactory()
    installed = list(log_privacy._installed)
    logging.setLogRecordFactory(logging.LogRecord)
    log_privacy._installed.clear()
    yield
    logging.setLogRecordFactory(factory)
    log_privacy._installed[:] = installed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(platform, monkeypatch, fresh_logging) -> Iterator[str]:
    """The ASGI factory ``opcert serve`` runs, behind a real uvicorn with its access log on."""
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    monkeypatch.setenv("OPCERT_WARM_STATUS_LISTS", "0")
    application = asgi.create()
    port = _free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    application.state.platform.close()


def test_server_logs_mask_id_numbers_and_hold_no_names(served, ctx, world, caplog):
    holder = id_number()
    submit_results(ctx, world.zhuhai, [make_result(id_number=holder, name=HOLDER_NAME)])
    caplog.set_level(logging.INFO)
    with httpx.Client(base_url=served, timeout=10) as client:
        query = client.get(
            "/api/v1/certificates", params={"id_number": holder, "name": HOLDER_NAME}
        )
        client.get(f"/api/v1/certificates/T{holder}")
        client.post("/api/v1/verify", json={"payload": f"SC1:{holder}{HOLDER_NAME}"})
    assert query.status_code == 200
    # Inside a test the logged exception of a failing request stands for the one uvicorn logs.
    try:
        raise RuntimeError(f"lookup failed for {holder} {HOLDER_NAME!r}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert f"{holder[:6]}********{holder[-4:]}" in logged  # the access log was captured
    assert holder not in logged
    assert HOLDER_NAME not in logged
    assert "欧阳" not in logged and "娜娜" not in logged


def test_database_errors_carry_no_personal_values(ctx, world, caplog, fresh_logging):
    log_privacy.install()
    holder = id_number()
    row = {
        "id_number": holder,
        "name": HOLDER_NAME,
        "sex": 1,
        "birth_on": START.date(),
        "division": "440402",
        "created_at": START,
        "updated_at": START,
    }
    caplog.set_level(logging.INFO)
    with ctx.uow() as uow:
        uow.session.execute(insert(Person), [row])
        with pytest.raises(IntegrityError) as raised:
            uow.session.execute(insert(Person), [row])
        logging.getLogger("opcert").error("write failed", exc_info=raised.value)
    assert HOLDER_NAME not in str(raised.value)  # SQL parameters are hidden
    assert HOLDER_NAME not in caplog.text and holder not in caplog.text


# -- the data directory ------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_loosened_data_directory_is_closed_at_the_next_start(platform, data_dir):
    os.chmod(data_dir, 0o755)
    keys = data_dir / "keys"
    for path in [keys, *keys.iterdir()]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    (data_dir / "export.csv").write_text("id_number,name\n")
    os.chmod(data_dir / "export.csv", 0o644)

    started = build(platform.settings)
    started.close()

    assert _mode(data_dir) == 0o700
    assert _mode(keys) == 0o700
    assert {_mode(p) for p in keys.iterdir()} == {0o600}
    assert _mode(data_dir / "export.csv") == 0o600


def test_init_makes_the_data_directory_0700_and_the_sqlite_files_0600(tmp_path, monkeypatch):
    data = tmp_path / "fresh"
    monkeypatch.setenv("OPCERT_DATA_DIR", str(data))
    monkeypatch.delenv("OPCERT_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    previous = os.umask(0o022)  # a usual umask: new files 0644, directories 0755
    try:
        cli_context.platform.cache_clear()
        assert CliRunner().invoke(cli_app, ["init"]).exit_code == 0
        platform = cli_context.platform()
        with platform.engine.begin() as connection:  # writes: the -wal and -shm exist now
            connection.execute(text("UPDATE ledger_head SET seq = seq"))
            database = data / "opcert.sqlite"
            companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in companions)
            assert {_mode(p) for p in [database, *companions]} == {0o600}
        platform.close()
    finally:
        os.umask(previous)
        cli_context.platform.cache_clear()
    assert _mode(data) == 0o700
    for directory, _subdirs, files in os.walk(data):
        assert _mode(Path(directory)) == 0o700
        assert {_mode(Path(directory) / f) for f in files} <= {0o600}


def test_a_sqlite_file_opened_by_the_engine_is_private(tmp_path):
    database = tmp_path / "made-here" / "opcert.sqlite"
    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{database}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x TEXT)"))
            connection.execute(text("INSERT INTO t VALUES ('440402199001010031')"))
        assert _mode(database.parent) == 0o700
        assert _mode(database) == 0o600
        assert _mode(database.with_name("opcert.sqlite-wal")) == 0o600
        engine.dispose()
    finally:
        os.umask(previous)


# -- migration 0009 ------------------------------------------------------------------------------


def _old_rule(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@pytest.fixture
def at_0007(backend, tmp_path) -> Iterator:
    """An empty database migrated to 0007, on the backend of this run."""
    from alembic import command

    from opcert.persistence.database import alembic_config

    if backend.engine.dialect.name == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
        cleanup = None
    else:
        schema = f"opcert_ledger_mig_{os.getpid()}"
        base = backend.engine.url.render_as_string(hide_password=False).split("?")[0]
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine = make_engine(f"{base}?options=-csearch_path%3D{schema}")

        def cleanup() -> None:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    yield engine
    engine.dispose()
    if cleanup:
        cleanup()


def _old_chain(engine, count: int = 4, tamper: bool = False) -> str:
    tip = "0" * 64
    rows = []
    for seq in range(1, count + 1):
        at = START + timedelta(minutes=seq)
        body = json.dumps(
            {
                "seq": seq,
                "at": at.isoformat(),
                "actor": "institution:EXAM-ZH",
                "kind": "application.issued",
                "subject": f"T{id_number()}",
                "data": {"item": "1.2"},
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = _old_rule(tip, body)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": "institution:EXAM-ZH",
                "kind": "application.issued",
                "subject": json.loads(body)["subject"],
                "body": body.replace("1.2", "1.1") if tamper and seq == 2 else body,
                "prev_hash": tip,
                "hash": digest,
            }
        )
        tip = digest
    with engine.begin() as connection:
        connection.execute(insert(LedgerEntry), rows)
        connection.execute(insert(LedgerHead), [{"id": 1, "seq": count, "hash": tip}])
    return tip


def test_migration_0009_rehashes_a_sound_chain_and_records_its_old_head(at_0007):
    from opcert.persistence.database import migrate
    from opcert.persistence.unit_of_work import UnitOfWorkFactory

    old_tip = _old_chain(at_0007)

    migrate(at_0007)

    with UnitOfWorkFactory(at_0007)() as uow:
        report = ledger.verify(uow)
        last = uow.ledger.entry(5)
        assert last is not None
        kind, body = last.kind, json.loads(last.body)
    assert report.ok, report.problems
    assert report.entries == 5
    assert kind == "ledger.rehashed"
    assert body["data"]["previous_head"] == {"seq": 4, "hash": old_tip}


def test_migration_0009_refuses_to_rehash_a_tampered_chain(at_0007):
    from opcert.persistence.database import migrate, schema_is_current

    _old_chain(at_0007, tamper=True)

    with pytest.raises(RuntimeError, match="will not re-hash a tampered chain"):
        migrate(at_0007)
    assert not schema_is_current(at_0007)
