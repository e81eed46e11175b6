"""Production refuses to be unsafe (issue 12, part 2).

Found on a fresh install: ``OPCERT_ENV=production`` accepted the development key passphrase,
``opcert demo`` loaded in production, and the national ``admin`` logged in with the published
demo password. Each refusal below is one line on stderr, names every problem, and exits 1.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.main import get_command
from typer.testing import CliRunner

from opcert.adapters.identity import DevelopmentIdentityProvider, UnconfiguredIdentityProvider
from opcert.bootstrap import Platform, build, fake_data_problems
from opcert.domain.clock import FixedClock
from opcert.interfaces.api.app import create_app
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from opcert.interfaces.cli.production import production_env_file
from opcert.services.demo import DEMO_PASSWORD, load_demo
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import production
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.registry import parties as registry
from opcert.settings import DEVELOPMENT_PASSPHRASE, ProductionRefused, Settings
from tests.integration.builders import make_result
from tests.integration.conftest import START

POSTGRES = "postgresql+psycopg://opcert@db.example.internal:5432/opcert"
REDIS = "redis://cache.example.internal:6379/0"
SECRET_ENV = (
    "OPCERT_KEY_PASSPHRASE",
    "OPCERT_SESSION_SECRET",
    "OPCERT_CAPTCHA_SECRET",
    "OPCERT_CSRF_SECRET",
    "OPCERT_WEBHOOK_SECRET",
)


def production_settings(**overrides: Any) -> Settings:
    """A production configuration that passes every check; overrides make it unsafe."""
    values: dict[str, Any] = {
        "env": "production",
        "database_url": POSTGRES,
        "key_passphrase": secrets.token_urlsafe(32),
        "session_secret": secrets.token_urlsafe(32),
        "captcha_secret": secrets.token_urlsafe(32),
        "csrf_secret": secrets.token_urlsafe(32),
        "webhook_secret": secrets.token_urlsafe(32),
        "identity_provider": "none",
        "sms_gateway": "none",
        "redis_url": REDIS,
    }
    values.update(overrides)
    return Settings(**values)


def refusal(settings: Settings) -> list[str]:
    with pytest.raises(ProductionRefused) as refused:
        settings.check_production()
    assert "\n" not in refused.value.line()
    return refused.value.problems


def test_a_complete_production_configuration_passes():
    production_settings().check_production()


def test_development_settings_are_not_checked_as_production():
    Settings(env="development", key_passphrase=None).check_production()


def test_production_refuses_the_development_passphrase():
    problems = refusal(production_settings(key_passphrase=DEVELOPMENT_PASSPHRASE))
    assert problems == ["OPCERT_KEY_PASSPHRASE 是开发口令 / OPCERT_KEY_PASSPHRASE is the "
                        "development passphrase"]  # fmt: skip


@pytest.mark.parametrize("passphrase", [None, "", "   "])
def test_production_refuses_an_empty_passphrase(passphrase):
    problems = refusal(production_settings(key_passphrase=passphrase))
    assert len(problems) == 1 and "OPCERT_KEY_PASSPHRASE must be set" in problems[0]


def test_production_refuses_a_short_passphrase():
    problems = refusal(production_settings(key_passphrase="correct horse battery"))
    assert len(problems) == 1 and "shorter than 32 bytes" in problems[0]


@pytest.mark.parametrize("purpose", ["session", "captcha", "csrf", "webhook"])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_production_refuses_a_missing_or_empty_secret(purpose, value):
    problems = refusal(production_settings(**{f"{purpose}_secret": value}))
    assert problems == [f"须设置 OPCERT_{purpose.upper()}_SECRET / "
                        f"OPCERT_{purpose.upper()}_SECRET must be set"]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (secrets.token_urlsafe(16), "holds 16 bytes"),  # 16 random bytes: too short
        (secrets.token_hex(31), "holds 31 bytes"),
        ("a" * 64, "not random"),  # hex of 32 identical bytes
        ("0123456789abcdef" * 4, "not random"),  # 32 bytes, 8 distinct values
        ("the-session-secret-is-long-enough-but-a-sentence!", "neither hex nor base64"),
    ],
    ids=[
        "16-random-bytes",
        "31-random-bytes",
        "one-byte-repeated",
        "8-distinct-bytes",
        "a-sentence",
    ],
)
def test_production_refuses_a_short_or_non_random_secret(value, why):
    problems = refusal(production_settings(session_secret=value))
    assert len(problems) == 1 and "OPCERT_SESSION_SECRET" in problems[0] and why in problems[0]


def test_production_refuses_one_secret_used_for_two_purposes():
    shared = secrets.token_urlsafe(32)
    problems = refusal(production_settings(session_secret=shared, csrf_secret=shared))
    assert problems == ["OPCERT_CSRF_SECRET 与 OPCERT_SESSION_SECRET 相同 / OPCERT_CSRF_SECRET "
                        "repeats OPCERT_SESSION_SECRET: one purpose each"]  # fmt: skip


def test_production_refuses_the_same_key_written_in_hex_and_in_base64():
    key = secrets.token_bytes(32)
    import base64

    as_base64 = base64.urlsafe_b64encode(key).decode().rstrip("=")
    problems = refusal(production_settings(captcha_secret=key.hex(), csrf_secret=as_base64))
    assert len(problems) == 1 and "repeats OPCERT_CAPTCHA_SECRET" in problems[0]


@pytest.mark.parametrize("url", [None, "sqlite:////var/lib/opcert/opcert.sqlite"])
def test_production_refuses_sqlite(url):
    problems = refusal(production_settings(database_url=url))
    assert len(problems) == 1 and "PostgreSQL" in problems[0]


def test_production_refuses_to_run_without_redis_for_shared_limits_and_sessions():
    problems = refusal(production_settings(redis_url=None))
    assert len(problems) == 1 and "OPCERT_REDIS_URL" in problems[0]


def test_production_refuses_a_fake_clock():
    problems = refusal(production_settings(fake_now=START))
    assert len(problems) == 1 and "OPCERT_FAKE_NOW" in problems[0]


def test_production_refuses_the_development_identity_provider_and_its_outbox():
    problems = refusal(production_settings(identity_provider="development"))
    assert len(problems) == 1 and "/dev/outbox" in problems[0]


def test_every_problem_is_named_in_one_line():
    settings = Settings(env="production", key_passphrase=DEVELOPMENT_PASSPHRASE)
    with pytest.raises(ProductionRefused) as refused:
        settings.check_production()
    line = refused.value.line()
    assert "\n" not in line
    for name in (
        "OPCERT_KEY_PASSPHRASE",
        "OPCERT_SESSION_SECRET",
        "OPCERT_CAPTCHA_SECRET",
        "OPCERT_CSRF_SECRET",
        "OPCERT_WEBHOOK_SECRET",
        "OPCERT_DATABASE_URL",
        "OPCERT_IDENTITY_PROVIDER",
    ):
        assert name in line


def test_the_identity_provider_is_a_setting_and_none_turns_holder_login_off(platform):
    settings = platform.settings.model_copy(update={"identity_provider": "none"})
    built = build(settings, clock=FixedClock(START))
    try:
        assert isinstance(built.ctx.identity, UnconfiguredIdentityProvider)
        with TestClient(create_app(built)) as client:
            assert client.get("/dev/outbox").status_code == 404
            assert "/dev/outbox" not in client.get("/holder/login").text
    finally:
        built.close()
    assert isinstance(platform.ctx.identity, DevelopmentIdentityProvider)


# --- demo and synthetic data in the database ------------------------------------------------


def _refusal_of_database(platform: Platform) -> list[str]:
    problems = fake_data_problems(platform.engine)
    assert problems
    return problems


def test_a_database_of_real_data_passes_the_start_up_check(platform, world):
    registry.add_officer(platform.ctx, username="admin", region="000000", role="admin")
    assert fake_data_problems(platform.engine) == []


def test_production_refuses_a_database_with_the_demo_data_set_and_its_known_passwords(platform):
    load_demo(platform.ctx)
    problems = _refusal_of_database(platform)
    assert any("demo data (opcert demo)" in p for p in problems)
    assert any("use the published demo password" in p and "admin" in p for p in problems)


def test_demo_data_loaded_before_its_ledger_marker_existed_is_still_recognised(platform):
    ctx = platform.ctx
    added = registry.add_institution(
        ctx, code="EXAM-440400", name="珠海市安全生产考试中心", region="440402", kind="exam"
    )
    registry.add_exam_point(
        ctx, institution="EXAM-440400", code="EP-440400-01", name="香洲考试点", region="440402"
    )
    principal = InstitutionPrincipal(added.institution_id, "EXAM-440400", "珠海")
    outcome = submit_results(ctx, principal, [make_result(ref="DEMO-NOW-EXAM-440400-0000")])
    assert outcome[0].outcome == "issued"
    assert _refusal_of_database(platform) == [
        "数据库中有演示数据（opcert demo）/ the database holds demo data (opcert demo)"
    ]


def test_an_institution_that_merely_shares_a_demo_code_is_not_taken_for_demo_data(platform):
    registry.add_institution(
        platform.ctx,
        code="EXAM-440400",
        name="珠海市安全生产考试中心",
        region="440402",
        kind="exam",
    )
    assert fake_data_problems(platform.engine) == []


def test_production_refuses_an_officer_account_with_the_published_demo_password(platform):
    registry.add_officer(
        platform.ctx, username="admin", region="000000", role="admin", password=DEMO_PASSWORD
    )
    assert _refusal_of_database(platform) == [
        "工作人员账号 admin 使用公开的演示密码 / officer accounts admin use the published demo "
        "password"
    ]


def test_production_refuses_a_database_with_synthetic_data(platform):
    registry.add_institution(
        platform.ctx, code="SYN-EXAM-110000", name="合成数据", region="110105", kind="exam"
    )
    problems = _refusal_of_database(platform)
    assert problems == [
        "数据库中有合成数据（opcert synth）/ the database holds synthetic data (opcert synth)"
    ]


def test_the_demo_refuses_a_database_that_init_marked_as_production(platform):
    ctx = platform.ctx
    with ctx.uow() as uow:
        production.mark_production(uow, ctx.now())
        uow.commit()
    from opcert.domain.errors import Conflict

    with pytest.raises(Conflict):
        load_demo(ctx)
    with ctx.uow() as uow:
        assert uow.registry.institutions() == []


def test_production_start_up_is_refused_when_the_database_cannot_be_reached(platform):
    settings = production_settings(
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        data_dir=platform.settings.data_dir,
    )
    with pytest.raises(ProductionRefused) as refused:
        build(settings, clock=FixedClock(START))
    assert "cannot reach the database to check for demo data" in refused.value.line()


# --- the command line and the ASGI factory ---------------------------------------------------


def _command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of sub-commands
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


COMMANDS = _command_paths(get_command(app))


@pytest.fixture
def unsafe_production(monkeypatch, tmp_path):
    """OPCERT_ENV=production with the development passphrase, no secrets and SQLite."""
    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPCERT_ENV", "production")
    monkeypatch.setenv("OPCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPCERT_KEY_PASSPHRASE", DEVELOPMENT_PASSPHRASE)
    monkeypatch.delenv("OPCERT_DATABASE_URL", raising=False)
    monkeypatch.delenv("OPCERT_FAKE_NOW", raising=False)
    cli_context.platform.cache_clear()
    yield tmp_path
    cli_context.platform.cache_clear()


def test_the_command_list_is_complete():
    assert len(COMMANDS) > 25
    assert ("init",) in COMMANDS and ("serve",) in COMMANDS and ("demo",) in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_refuses_an_unsafe_production_in_one_line(unsafe_production, command):
    result = CliRunner().invoke(app, list(command))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "production refuses to start" in lines[0]
    assert "OPCERT_KEY_PASSPHRASE is the development passphrase" in lines[0]
    assert "OPCERT_CSRF_SECRET must be set" in lines[0] and "not SQLite" in lines[0]
    assert "Traceback" not in result.output
    assert not (unsafe_production / "data").exists(), "nothing is written before the refusal"


def _cli_env(monkeypatch, platform: Platform, settings: Settings) -> None:
    for name, value in {
        "OPCERT_ENV": settings.env,
        "OPCERT_DATA_DIR": str(platform.settings.data_dir),
        "OPCERT_DATABASE_URL": platform.settings.resolved_database_url,
        "OPCERT_KEY_PASSPHRASE": settings.key_passphrase,
        "OPCERT_SESSION_SECRET": settings.session_secret,
        "OPCERT_CAPTCHA_SECRET": settings.captcha_secret,
        "OPCERT_CSRF_SECRET": settings.csrf_secret,
        "OPCERT_WEBHOOK_SECRET": settings.webhook_secret,
        "OPCERT_IDENTITY_PROVIDER": settings.identity_provider,
        "OPCERT_SMS_GATEWAY": settings.sms_gateway,
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("OPCERT_FAKE_NOW", raising=False)
    cli_context.platform.cache_clear()


def test_opcert_demo_is_refused_in_production_before_writing_anything(platform, monkeypatch):
    _cli_env(monkeypatch, platform, production_settings())
    try:
        result = CliRunner().invoke(app, ["demo"])
    finally:
        cli_context.platform.cache_clear()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "opcert demo is refused in production" in lines[0]
    with platform.ctx.uow() as uow:
        assert uow.registry.institutions() == []
        assert uow.ledger.head()[0] == 0


def test_a_production_command_is_refused_while_demo_data_is_in_the_database(platform, monkeypatch):
    registry.add_officer(
        platform.ctx, username="admin", region="000000", role="admin", password=DEMO_PASSWORD
    )
    _cli_env(monkeypatch, platform, production_settings())
    try:
        result = CliRunner().invoke(app, ["authorities", "list"])
    finally:
        cli_context.platform.cache_clear()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "admin use the published demo password" in lines[0]
    if platform.engine.dialect.name == "sqlite":
        assert "not SQLite" in lines[0]


def test_the_asgi_factory_refuses_an_unsafe_production_in_one_line(unsafe_production):
    script = "from opcert.interfaces.asgi import create; create()"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "production refuses to start" in lines[0], done.stderr
    assert "OPCERT_IDENTITY_PROVIDER" in lines[0]


def test_a_clean_production_database_starts(platform, monkeypatch):
    settings = production_settings(
        database_url=platform.settings.resolved_database_url, data_dir=platform.settings.data_dir
    )
    if platform.engine.dialect.name == "sqlite":
        assert any("SQLite" in p for p in settings.production_problems())
        return
    built = build(settings, clock=FixedClock(START))
    try:
        assert isinstance(built.ctx.identity, UnconfiguredIdentityProvider)
    finally:
        built.close()


# --- opcert init --production ------------------------------------------------------------------


def _parse_env(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def _settings_from(values: dict[str, str], **extra: str) -> Settings:
    fields = {name.removeprefix("OPCERT_").lower(): value for name, value in values.items()}
    fields.update(extra)
    return Settings(**fields)  # type: ignore[arg-type]


def test_init_production_prints_fresh_secrets_that_production_accepts(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    runs = [CliRunner().invoke(app, ["init", "--production"]) for _ in range(2)]
    assert all(run.exit_code == 0 for run in runs)
    first, second = (_parse_env(run.stdout) for run in runs)
    for name in SECRET_ENV:
        assert len(first[name]) >= 43 and first[name] != second[name]
    assert len({first[name] for name in SECRET_ENV}) == len(SECRET_ENV)
    # As printed, only the database and Redis are left to fill in; filled in, production
    # accepts it.
    problems = _settings_from(first).production_problems()
    assert len(problems) == 2
    assert "OPCERT_DATABASE_URL" in problems[0] and "OPCERT_REDIS_URL" in problems[1]
    _settings_from(first, database_url=POSTGRES, redis_url=REDIS).check_production()
    for name in ("OPCERT_DATABASE_URL", "OPCERT_REDIS_URL", "OPCERT_TRUSTED_PROXIES",
                 "OPCERT_BASE_URL"):  # fmt: skip
        assert f"# {name}=" in runs[0].stdout
    assert not list(tmp_path.iterdir()), "printing writes no file"


def test_init_production_writes_a_file_only_its_owner_can_read_and_never_overwrites(tmp_path):
    target = tmp_path / "opcert.env"
    written = CliRunner().invoke(app, ["init", "--production", "-o", str(target)])
    assert written.exit_code == 0, written.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert written.stdout == "", "the secrets are in the file, not on the terminal"
    before = target.read_text()
    again = CliRunner().invoke(app, ["init", "--production", "-o", str(target)])
    assert again.exit_code == 1 and "not overwritten" in again.stderr
    assert target.read_text() == before
    _settings_from(_parse_env(before), database_url=POSTGRES, redis_url=REDIS).check_production()


def test_init_production_never_writes_secrets_into_a_git_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    target = tmp_path / "deploy" / "opcert.env"
    result = CliRunner().invoke(app, ["init", "--production", "-o", str(target)])
    assert result.exit_code == 1 and "never written into a repository" in result.stderr
    assert not target.exists()


def test_init_production_works_before_production_is_configured(unsafe_production):
    result = CliRunner().invoke(app, ["init", "--production"])
    assert result.exit_code == 0, result.stderr
    assert "OPCERT_ENV=production" in result.stdout


def test_two_generated_env_files_share_no_secret():
    one, two = (_parse_env(production_env_file(START)) for _ in range(2))
    assert not {one[name] for name in SECRET_ENV} & {two[name] for name in SECRET_ENV}


def test_the_repository_holds_no_production_env_file():
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [name for name in tracked if name.endswith(".env")]


def test_init_in_production_marks_the_database_so_a_mistaken_development_demo_is_refused(
    platform, monkeypatch, tmp_path
):
    if platform.engine.dialect.name == "sqlite":
        pytest.skip("production refuses SQLite before init could mark it")
    schema = f"opcert_prodinit_{os.getpid()}"
    base = platform.engine.url.set(query={}).render_as_string(hide_password=False)
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    settings = production_settings(
        database_url=f"{base}?options=-csearch_path%3D{schema}", data_dir=tmp_path / "data"
    )
    for name, value in {
        "OPCERT_ENV": "production",
        "OPCERT_DATA_DIR": str(settings.data_dir),
        "OPCERT_DATABASE_URL": settings.database_url,
        "OPCERT_KEY_PASSPHRASE": settings.key_passphrase,
        "OPCERT_SESSION_SECRET": settings.session_secret,
        "OPCERT_CAPTCHA_SECRET": settings.captcha_secret,
        "OPCERT_CSRF_SECRET": settings.csrf_secret,
        "OPCERT_WEBHOOK_SECRET": settings.webhook_secret,
        "OPCERT_IDENTITY_PROVIDER": "none",
        "OPCERT_SMS_GATEWAY": "none",
        "OPCERT_REDIS_URL": os.environ.get("OPCERT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "OPCERT_REDIS_KEY_PREFIX": f"opcert-prodinit-test-{os.getpid()}",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("OPCERT_FAKE_NOW", raising=False)
    try:
        cli_context.platform.cache_clear()
        initialised = CliRunner().invoke(app, ["init"])
        assert initialised.exit_code == 0, initialised.stderr
        monkeypatch.setenv("OPCERT_ENV", "development")
        cli_context.platform.cache_clear()
        demo = CliRunner().invoke(app, ["demo"])
        assert demo.exit_code == 1
        assert demo.stderr.strip().splitlines() == [
            "错误 / error: 此数据库为生产数据库，不能载入演示数据 / this database serves "
            "production: demo data is refused"
        ]
        with admin.connect() as connection:
            count = f"SELECT count(*) FROM {schema}.institutions"
            assert connection.execute(text(count)).scalar() == 0
    finally:
        cli_context.platform.cache_clear()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
