"""The in-memory unit of work keeps the promises of the Protocol the services are written
against (``opcert.services.kernel.uow``): the same methods with the same parameters, and a
unit of work left without commit leaves every row as it was."""

from __future__ import annotations

import inspect

import pytest

from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict
from opcert.persistence.models import Certificate
from opcert.services.kernel import uow as ports
from opcert.services.lifecycle import acts
from opcert.services.lifecycle.versions import new_version
from tests.unit.services.conftest import issue
from tests.unit.services.fakes import FakeDatabase, FakeUnitOfWork

STORES = {
    "certificates": ports.CertificateStore,
    "lifecycle": ports.LifecycleStore,
    "ledger": ports.LedgerStore,
    "log": ports.LogStore,
    "registry": ports.RegistryStore,
    "persons": ports.PersonStore,
    "applications": ports.ApplicationStore,
    "keys": ports.KeyRecords,
}


def _methods(protocol: type) -> list[str]:
    return [n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")]


def _parameters(function: object) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("store", list(STORES))
def test_each_fake_repository_has_every_method_of_its_protocol_with_the_same_parameters(store):
    fake = getattr(FakeUnitOfWork(FakeDatabase()), store)
    protocol = STORES[store]
    assert _methods(protocol), store
    for name in _methods(protocol):
        expected = _parameters(getattr(protocol, name))[1:]  # without self
        assert _parameters(getattr(fake, name)) == expected, f"{store}.{name}"


def test_the_fake_unit_of_work_has_the_protocols_own_methods():
    fake = FakeUnitOfWork(FakeDatabase())
    for name in ("begin_write", "flush", "commit", "rollback", "__enter__", "__exit__"):
        expected = _parameters(getattr(ports.UnitOfWork, name))[1:]
        assert _parameters(getattr(fake, name)) == expected, name


def test_leaving_a_unit_of_work_without_commit_puts_every_row_back(fake_ctx, fake_db):
    number, item = issue(fake_ctx)
    ledger_before = list(fake_db.ledger)
    with FakeUnitOfWork(fake_db) as uow:
        row = uow.certificates.get(number, item)
        assert row is not None
        row.state = "revoked"
        uow.registry.add(Certificate(number="T0", item_code="9.9"))
        uow.ledger.append([{"kind": "x", "subject": "y"}], 99, "f" * 64)
    assert [c.state for c in fake_db.rows(Certificate)] == ["active"]
    assert fake_db.ledger == ledger_before


def test_no_new_version_is_signed_for_a_suspended_certificate(fake_ctx, fake_db):
    number, item = issue(fake_ctx)
    acts.suspend(fake_ctx, number, item, "停工调查")
    with FakeUnitOfWork(fake_db) as uow:
        row = uow.certificates.get(number, item)
        with pytest.raises(Conflict, match="暂扣"):
            new_version(uow, fake_ctx, row, fake_ctx.now())  # type: ignore[arg-type]
    assert FakeUnitOfWork(fake_db).certificates.status_of(number, item) == (
        "suspended",
        StatusCode.SUSPENDED,
    )
