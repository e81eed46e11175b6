"""The hot queries use indexes: a full scan of a national-size table cannot come back unnoticed.

Each test runs the real repository call, captures the SQL it sent, and asks the database for the
plan. On PostgreSQL sequential scans, hash joins and merge joins are switched off for the check:
at test volume, hashing a few hundred rows is rightly cheaper than probing an index, while at
national volume the statistics pick the index path; switching them off asks the question that
matters here, whether the query has an index path at all. A full index scan (no ``Index Cond``)
counts as a scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event, select

from opcert.persistence.models import CredentialVersion
from opcert.services.synth import synthesise

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
            for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
                connection.exec_driver_sql(f"SET {setting} = off")
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
    lines = plan.splitlines()
    for number, line in enumerate(lines):
        found = re.search(r"Index (?:Only )?Scan (?:Backward )?using \S+ on (\w+)", line)
        if found is None or found.group(1) not in BIG_TABLES:
            continue
        depth = len(line) - len(line.lstrip(" ->"))
        details = []
        for below in lines[number + 1 :]:
            if "->" in below or len(below) - len(below.lstrip()) <= depth - 4:
                break
            details.append(below)
        if not any("Index Cond" in d for d in details):
            hits.append(f"{found.group(1)} (whole index)")
    return hits


HOT = {
    "public query by ID number and name": lambda uow: uow.certificates.public_view(
        "440402199005170031", "张三"
    ),
    "holder's certificates": lambda uow: uow.certificates.of_person("440402199005170031"),
    "verify: record of a credential": lambda uow: uow.certificates.record_of("00" * 16),
    "status list entries": lambda uow: uow.certificates.status_entries("CN-440400-0001"),
    "intake: stored refs": lambda uow: uow.results.stored(1, ["R-1", "R-2"]),
    "intake: persons": lambda uow: uow.persons.by_id_numbers(["440402199005170031"]),
    "intake: certificates held": lambda uow: uow.certificates.by_pairs(
        [("440402199005170031", "1.2")]
    ),
    "intake: bans": lambda uow: uow.certificates.bans(["440402199005170031"], date(2026, 11, 20)),
    "intake: earlier failures": lambda uow: uow.results.failed_attempts(
        [("440402199005170031", "1.2")], date(2025, 11, 20), 80
    ),
    "officer queue": lambda uow: uow.applications.in_scope(
        "in_review", "4404", authority_prefix="CN-4404"
    ),
    "officer search by the start of a name": lambda uow: uow.certificates.search(
        "李", "CN-4404", limit=21, offset=20
    ),
    "officer search by ID number": lambda uow: uow.certificates.search(
        "440402199005170031", "CN-4404", limit=21
    ),
}


@pytest.mark.parametrize("name", sorted(HOT))
def test_a_hot_query_does_not_scan_a_large_table(platform, name):
    for plan in plans(platform, HOT[name]):
        assert full_scans(plan) == [], plan


def test_the_lapse_of_missed_reviews_is_read_through_the_list_not_every_overdue_certificate(
    platform,
):
    """A status list is rebuilt daily for online checks; its lapse query must touch the list's
    own entries (at most 65,536), each probed in the small index of lapse candidates, never the
    nation's overdue card-era certificates through the review-date index."""
    synthesise(platform.ctx, 0.0001, seed=5)  # 1,800 holders, overdue ORDER30 records among them
    postgres = platform.engine.dialect.name == "postgresql"
    with platform.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # After a bulk load (docs/operations.md): statistics, and on PostgreSQL the visibility
        # map that lets an index-only scan skip the table.
        connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
    with platform.ctx.uow() as uow:
        list_id = uow.session.scalar(
            select(CredentialVersion.list_id).order_by(CredentialVersion.id).limit(1)
        )
    cutoff = date(2026, 11, 22)
    entries, *probes = plans(platform, lambda uow: uow.lifecycle.lapsed_indexes(list_id, cutoff))
    assert probes, "the list's entries were never probed"
    assert "ix_credential_versions_list_entries" in entries, entries
    assert "certificates" not in entries, entries
    for plan in probes:
        assert "ix_certificates_review_due_on" not in plan, plan
        assert "ix_certificates_lapse_candidates" in plan, plan
        assert full_scans(plan) == [], plan
    (entries,) = plans(platform, lambda uow: uow.certificates.status_entries(list_id))
    if not postgres:
        assert "COVERING INDEX ix_credential_versions_list_entries" in entries, entries
    else:
        assert "Index Only Scan using ix_credential_versions_list_entries" in entries, entries
