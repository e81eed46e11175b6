"""Integration fixtures: a real database (SQLite and PostgreSQL), built by the migrations.

Each backend is initialised once per session (migrations, authorities, keys); every test then
starts from emptied data tables, the original keys and a fixed clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from opcert.bootstrap import Platform, build, initialise
from opcert.domain.clock import SHANGHAI, FixedClock
from opcert.interfaces.api.app import create_app
from opcert.persistence.models import Base
from opcert.settings import Settings
from tests.integration.builders import World

START = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # a Friday under MEM Order 19
# The session's keys are made on this day, before every day a test travels back to, so that no
# credential is signed before its key's nbf (spec section 6, step 4: BAD_SIGNATURE otherwise).
KEYS_MADE = datetime(2009, 1, 5, 10, 0, tzinfo=SHANGHAI)
KEEP = {"authorities", "signing_keys"}
PG_SCHEMA = f"opcert_test_{os.getpid()}"  # one schema per test session: runs may overlap

_pg_passed: list[str] = []


def _backends() -> list[str]:
    wanted = os.environ.get("OPCERT_TEST_DATABASES", "sqlite,postgresql")
    return [name.strip() for name in wanted.split(",") if name.strip()]


def _postgres_url() -> str:
    base = os.environ.get(
        "OPCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{PG_SCHEMA}"


def _prepare_postgres() -> str:
    base = os.environ.get(
        "OPCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        engine = create_engine(base)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        engine.dispose()
    except Exception as error:
        if os.environ.get("OPCERT_REQUIRE_POSTGRES"):
            raise RuntimeError(f"PostgreSQL is required but unreachable: {error}") from error
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return _postgres_url()


@pytest.fixture(scope="session", params=_backends())
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    url = (
        _prepare_postgres()
        if request.param == "postgresql"
        else f"sqlite:///{data_dir / 'opcert.sqlite'}"
    )
    settings = Settings(data_dir=data_dir, database_url=url, env="development")
    clock = FixedClock(KEYS_MADE)
    platform = build(settings, clock=clock)
    initialise(platform)
    clock.set(START)
    with platform.engine.connect() as connection:
        keys = [
            dict(row._mapping)
            for row in connection.execute(Base.metadata.tables["signing_keys"].select())
        ]
    platform.key_snapshot = keys  # type: ignore[attr-defined]
    yield platform
    platform.close()
    if request.param == "postgresql":
        _drop_postgres_schema()


def _drop_postgres_schema() -> None:
    base = os.environ.get(
        "OPCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
    engine.dispose()


@pytest.fixture
def platform(backend: Platform) -> Platform:
    _reset(backend)
    return backend


def _reset(platform: Platform) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP]
    with platform.engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())
        connection.execute(text("DELETE FROM signing_keys"))
        signing = Base.metadata.tables["signing_keys"]
        connection.execute(signing.insert(), platform.key_snapshot)  # type: ignore[attr-defined]
        connection.execute(text("UPDATE authorities SET auto_approve = :yes"), {"yes": True})
    clock = platform.ctx.clock
    assert isinstance(clock, FixedClock)
    clock.set(START)
    platform.ctx.keys._trust_cache = None
    platform.ctx.status_lists._cache.clear()
    platform.ctx.status_lists._bits.clear()
    platform.ctx.status_lists._unsaved.clear()
    platform.ctx.status_lists.loaded = platform.ctx.status_lists.scanned = 0
    platform.ctx.status_lists.warm_progress = None
    platform.abuse.reset()  # rate-limit counts and used captcha tokens of earlier tests
    if platform.outbox is not None:
        platform.outbox.messages.clear()  # text messages "sent" by earlier tests


@pytest.fixture
def ctx(platform: Platform):  # type: ignore[no-untyped-def]
    return platform.ctx


@pytest.fixture
def clock(platform: Platform) -> FixedClock:
    clock = platform.ctx.clock
    assert isinstance(clock, FixedClock)
    return clock


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as test_client:
        yield test_client


@pytest.fixture
def world(platform: Platform) -> World:
    return World.create(platform.ctx)


@pytest.fixture
def data_dir(platform: Platform) -> Path:
    return platform.settings.data_dir


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and "[postgresql" in report.nodeid:
        _pg_passed.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    marker = os.environ.get("OPCERT_PG_MARKER")
    if marker and _pg_passed:
        Path(marker).write_text(f"{len(_pg_passed)} tests\n")
