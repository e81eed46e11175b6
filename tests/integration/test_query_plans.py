"""The hot queries use indexes: a full scan of a national-size table cannot come back unnoticed.

Each test runs the real repository call, captures the SQL it sent, and asks the database for the
plan. On PostgreSQL sequential scans are switched off for the check, so a query that has no index
path still shows one (empty test tables would otherwise always be scanned).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event

BIG_TABLES = (
    "certificates",
    "credential_versions",
    "persons",
    "exam_results",
    "applications",
    "bans",
)


def plans(platform, call: Callable[[object], object]) -> list[str]:
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(platform.engine, "before_cursor_execute", capture)
    try:
        with platform.ctx.uow() as uow:
            call(uow)
    finally:
        event.remove(platform.engine, "before_cursor_execute", capture)
    assert sent, "the call sent no query"
    found = []
    with platform.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in sent:
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            found.append("\n".join(str(row[-1]) for row in rows))
    return found


def full_scans(plan: str) -> list[str]:
    hits = []
    for table in BIG_TABLES:
        if re.search(rf"Seq Scan on {table}\b", plan):
            hits.append(table)
        if re.search(rf"\bSCAN {table}\b(?! USING)", plan):
            hits.append(table)
    return hits


HOT = {
    "public query by ID number and name": lambda uow: uow.certificates.of_person(
        "440402199005170031", "张三"
    ),
    "verify: record of a credential": lambda uow: uow.certificates.version_by_cti("00" * 16),
    "status list entries": lambda uow: uow.certificates.status_entries("CN-440400-0001"),
    "intake: stored refs": lambda uow: uow.intake.stored_results(1, ["R-1", "R-2"]),
    "intake: persons": lambda uow: uow.intake.persons(["440402199005170031"]),
    "intake: certificates held": lambda uow: uow.certificates.by_pairs(
        [("440402199005170031", "1.2")]
    ),
    "intake: bans": lambda uow: uow.certificates.bans(["440402199005170031"], date(2026, 11, 20)),
    "intake: earlier failures": lambda uow: uow.intake.failed_attempts(
        [("440402199005170031", "1.2")], date(2025, 11, 20), 80
    ),
    "officer queue": lambda uow: uow.intake.applications("in_review", "4404"),
}


@pytest.mark.parametrize("name", sorted(HOT))
def test_a_hot_query_does_not_scan_a_large_table(platform, name):
    for plan in plans(platform, HOT[name]):
        assert full_scans(plan) == [], plan
