"""Migrations over a database that already holds data, on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from opcert.persistence.database import alembic_config, make_engine, migrate, schema_is_current

SCHEMA = f"opcert_migrate_{os.getpid()}"
BASE_PG = os.environ.get(
    "OPCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WHEN = "2026-11-20 02:00:00.000000"

ROWS = [
    "INSERT INTO authorities (code, division, name, auto_approve, created_at) "
    f"VALUES ('AUTH-110000', '110000', '北京市应急管理局', 1 = 1, '{WHEN}')",
    "INSERT INTO persons (id, id_number, name, sex, birth_on, division, created_at, updated_at) "
    f"VALUES (1, '11010519491231002X', '张三', 2, '1949-12-31', '110105', '{WHEN}', '{WHEN}')",
    "INSERT INTO certificates (id, number, typ, id_number, name, sex, item_code, item_name, "
    "catalogue_version, rule_set, authority_code, first_issued_on, valid_from, valid_to, state, "
    "issued_at) VALUES (1, '11010519491231002X', 'SO', '11010519491231002X', '张三', 2, '0101', "
    "'高压电工作业', '2010', 'order19', 'AUTH-110000', '2026-11-20', '2026-11-20', '2032-11-19', "
    f"'active', '{WHEN}')",
    "INSERT INTO credential_versions (id, certificate_id, version, cti, kid, issuer, iat, sc1, "
    "list_id, list_index, status_value, created_at) VALUES (1, 1, 1, "
    "'00112233445566778899aabbccddeeff', 'kid', 'CN-11', 0, 'SC1:', 'CN-11-0001', 7, 0, "
    f"'{WHEN}')",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    wanted = os.environ.get("OPCERT_TEST_DATABASES", "sqlite,postgresql")
    if request.param not in wanted:
        pytest.skip(f"{request.param} not among OPCERT_TEST_DATABASES")
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'opcert.sqlite'}")
        yield made
        made.dispose()
        return
    admin = create_engine(BASE_PG)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    made = make_engine(f"{BASE_PG}?options=-csearch_path%3D{SCHEMA}")
    yield made
    made.dispose()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def _upgrade_to(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_unique_constraints_become_unique_indexes_and_the_rows_stay(engine: Engine) -> None:
    _upgrade_to(engine, "0006")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.exec_driver_sql(statement)

    migrate(engine)

    assert schema_is_current(engine)
    inspector = inspect(engine)
    assert inspector.get_unique_constraints("persons") == []
    unique = {i["name"] for i in inspector.get_indexes("credential_versions") if i["unique"]}
    assert unique == {"ux_credential_versions_cti", "ux_credential_versions_list_id_list_index"}
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT name FROM persons").scalar_one() == "张三"
        assert connection.exec_driver_sql("SELECT count(*) FROM credential_versions").scalar() == 1
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(ROWS[1].replace("VALUES (1,", "VALUES (2,"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO credential_versions (certificate_id, version, cti, kid, issuer, iat, "
            "sc1, list_id, list_index, status_value, created_at) VALUES (1, 2, 'other', 'kid', "
            f"'CN-11', 0, 'SC1:', 'CN-11-0001', 7, 0, '{WHEN}')"
        )


# --- holds ---
def test_exam_points_keep_their_authorised_items_as_accreditations_after_0018(
    engine: Engine,
) -> None:
    _upgrade_to(engine, "0017")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO institutions (id, code, name, kind, region, active, created_at) "
                f"VALUES (1, 'EXAM-ZH', '珠海考试中心', 'exam', '440402', 1 = 1, '{WHEN}')"
            )
        )
        for point, items in ((1, None), (2, '["1.1", "2.1"]')):
            connection.execute(
                text(
                    "INSERT INTO exam_points (id, code, institution_id, name, region, items, "
                    "active, created_at) VALUES (:id, :code, 1, '考试点', '440402', :items, "
                    f"1 = 1, '{WHEN}')"
                ),
                {"id": point, "code": f"EP-{point}", "items": items},
            )
    _upgrade_to(engine, "0018")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT exam_point_id, item_code, standardised, real_equipment, "
                "accredited_from, accredited_to, recorded_by FROM exam_point_accreditations "
                "ORDER BY exam_point_id, item_code"
            )
        ).all()
    assert [(r[0], r[1]) for r in rows] == [(1, None), (2, "1.1"), (2, "2.1")]
    assert all(r[2] and r[3] and r[4] is None and r[5] is None for r in rows)
    assert {r[6] for r in rows} == {"migration:0018"}
