"""Production holds real data only.

The demonstration data set (``opcert demo``) signs certificates for invented people with the
platform's own keys and creates officers whose password is printed in the docs; the synthetic
national data set (``opcert synth``) does the same at scale. Either in a production database
would let a fake certificate verify as genuine or a stranger log in as the national ``admin``.
``fake_data_traces`` finds them; bootstrap refuses to start production while any is found.

Recognised by (any one is enough):
- the ledger entry ``opcert demo`` writes before anything else (subject ``DEMO_SUBJECT``);
- a demo institution code holding one of the demo's own result refs (``DEMO-…``), which finds
  demo data loaded before the ledger entry existed;
- an officer with a demo username whose password is the published demo password;
- the synthetic data set's anomaly labels or its ``SYN-EXAM-…`` institutions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from opcert.domain.divisions import PROVINCE_CODES
from opcert.domain.errors import Conflict
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel import ledger
from opcert.services.kernel.authentication import check_password

# Ledger subjects of the two markers: the demo's "I was loaded here" and init's "this database
# serves production". Each is written once and never changes.
DEMO_SUBJECT = "opcert-demo-data-set"
PRODUCTION_SUBJECT = "opcert-production-database"
DEMO_USERNAMES = ("zhuhai", "chongqing", "beijing", "jiangsu", "inspector", "admin")
# Tables the checks read; a database without them (not initialised yet) holds no demo data.
TABLES = frozenset({"ledger_entries", "institutions", "exam_results", "officers"})


def fake_data_traces(reader: Callable[[], UnitOfWork], tables: set[str]) -> list[str]:
    """Every trace of demo or synthetic data in the database, each "中文 / English"; [] when
    none. ``tables``: the tables that exist (checks on missing tables are skipped)."""
    traces: list[str] = []
    with reader() as uow:
        if tables >= TABLES:
            traces += _demo_traces(uow)
        if _synthetic(uow, tables):
            traces.append(
                "数据库中有合成数据（opcert synth）/ the database holds synthetic data (opcert synth)"
            )
    return traces


def _synthetic(uow: UnitOfWork, tables: set[str]) -> bool:
    if "synth_anomalies" in tables and not uow.synth.is_empty("synth_anomalies"):
        return True
    synthetic_codes = [f"SYN-EXAM-{code}0000" for code in sorted(PROVINCE_CODES)]
    return "institutions" in tables and bool(uow.registry.institutions_by_codes(synthetic_codes))


def _demo_traces(uow: UnitOfWork) -> list[str]:
    from opcert.services.demo import DEMO_PASSWORD, SITES

    traces = []
    found = bool(uow.ledger.entries_for(DEMO_SUBJECT))
    if not found:
        codes = [site[0] for site in SITES]
        for code, row in uow.registry.institutions_by_codes(codes).items():
            refs = [f"DEMO-{tag}-{code}-0000" for tag in ("2019", "2021", "2023", "2026A", "NOW")]
            if uow.results.stored(row.id, refs):
                found = True
                break
    if found:
        traces.append(
            "数据库中有演示数据（opcert demo）/ the database holds demo data (opcert demo)"
        )
    known = []
    for username in DEMO_USERNAMES:
        officer = uow.registry.officer_by_username(username)
        if officer is not None and check_password(DEMO_PASSWORD, officer.password_hash):
            known.append(username)
    if known:
        traces.append(
            f"工作人员账号 {', '.join(known)} 使用公开的演示密码 / officer accounts "
            f"{', '.join(known)} use the published demo password"
        )
    return traces


def mark_demo(uow: UnitOfWork, now: datetime) -> None:
    """Record, in the caller's transaction, that the demo data set is being loaded. Refuses a
    database that ``opcert init`` marked as serving production."""
    if uow.ledger.entries_for(PRODUCTION_SUBJECT):
        raise Conflict(
            "PRODUCTION_DATABASE",
            "此数据库为生产数据库，不能载入演示数据",
            "this database serves production: demo data is refused",
        )
    if not uow.ledger.entries_for(DEMO_SUBJECT):
        ledger.append(
            uow, [ledger.LedgerEvent(now, "opcert demo", "demo.loaded", DEMO_SUBJECT, {})]
        )


def mark_production(uow: UnitOfWork, now: datetime) -> None:
    """Record once, in the caller's transaction, that this database serves production, so that
    ``opcert demo`` refuses it even when run with a development environment by mistake."""
    if not uow.ledger.entries_for(PRODUCTION_SUBJECT):
        ledger.append(
            uow,
            [ledger.LedgerEvent(now, "opcert init", "platform.production", PRODUCTION_SUBJECT, {})],
        )
