"""Engines and migrations. SQLite by default, PostgreSQL by URL; the same Alembic scripts for both."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from opcert.persistence.private_files import make_private_dir, restrict_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """Create an engine tuned for the backend: WAL and a busy timeout on SQLite.

    SQL parameters never appear in error messages or logs (``hide_parameters``): they carry ID
    numbers and names. A SQLite file, its ``-wal`` and ``-shm`` are made 0600 whenever a
    connection opens (SQLite gives the companions the database file's mode), and a directory
    created for it is 0700.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if parsed.database and parsed.database != ":memory:":
            database = Path(parsed.database)
            if not database.parent.exists():
                make_private_dir(database.parent)
            # After the pragmas, which create the file; the -wal and -shm inherit its mode.
            event.listen(engine, "connect", lambda *_: restrict_sqlite(database))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No server-side prepared statements: psycopg prepares a query after five runs, and the generic
    # plan it then keeps (made when the tables were small or unanalysed) turned the intake's
    # 1,000-key lookups into sequential scans as the tables grew.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None},
        hide_parameters=True,
    )


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Let SQLAlchemy, not pysqlite, emit BEGIN (the documented pysqlite recipe), so that writing
    # transactions can take the write lock up front with BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for units of work that will write: a deferred transaction that read first
    could not upgrade to a writer once another process committed (SQLITE_BUSY_SNAPSHOT)."""
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision; a no-op when it is current.

    On SQLite, foreign keys are off while the migrations run (they can only be switched outside
    a transaction): batch mode replaces a table by a copy, and dropping the original would
    otherwise fail for the rows that refer to it. Afterwards every reference is checked, and a
    dangling one fails the migration.
    """
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            _driver_execute(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite:
                    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if dangling:
                        raise RuntimeError(f"migration left dangling references: {dangling[:5]}")
        finally:
            if sqlite:
                _driver_execute(connection, "PRAGMA foreign_keys=ON")


def _driver_execute(connection: Connection, statement: str) -> None:
    """Run ``statement`` on the driver's connection, outside SQLAlchemy's transaction."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def schema_is_current(engine: Engine) -> bool:
    config = alembic_config(engine)
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current == head


def database_exists(url: str) -> bool:
    """False for a SQLite file that does not exist yet; a server database is assumed to exist
    (connecting tells)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database or ""
    return database not in ("", ":memory:") and Path(database).exists()


def table_names(engine: Engine) -> set[str]:
    """The tables that exist in the engine's database (schema), e.g. before ``opcert init``."""
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def database_failure(error: BaseException) -> str | None:
    """One line (Chinese / English) for an error of the database layer; None for any other.

    The CLI and the pages need no SQLAlchemy to tell a lost or refused connection from a bug.
    Parameters are never part of the text (``hide_parameters``).
    """
    if not isinstance(error, SQLAlchemyError):
        return None
    cause = getattr(error, "orig", None) or error
    detail = " ".join(str(cause).split())[:300]
    if isinstance(error, OperationalError | InterfaceError):
        return f"无法连接数据库或连接已中断 / the database cannot be reached or was lost: {detail}"
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return f"数据库地址无效 / invalid database URL: {detail}"
    return f"数据库错误 / database error: {detail}"
