"""The security suite runs on the integration fixtures: a real database on both backends
(SQLite and PostgreSQL), built by the migrations, with a fixed clock."""

from tests.integration.conftest import (  # noqa: F401 - fixtures shared with the integration suite
    backend,
    client,
    clock,
    ctx,
    data_dir,
    platform,
    world,
)
