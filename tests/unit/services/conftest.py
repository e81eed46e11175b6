"""Fixtures for the service tests on the in-memory unit of work (``fakes.py``): a real clock,
key store and status-list service, an in-memory database with one authority and its keys."""

from __future__ import annotations

import functools
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from opcert.adapters.identity import UnconfiguredIdentityProvider
from opcert.adapters.sms import UnconfiguredSmsGateway
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION
from opcert.domain.clock import SHANGHAI, FixedClock
from opcert.persistence.models import Authority, SigningKeyRow
from opcert.services.issuance.pipeline import IssueRequest, issue_many
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.keystore import KeyStore
from opcert.services.kernel.statuslists import StatusListService
from tests.integration.builders import id_number
from tests.unit.services.fakes import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
KEYS_MADE = datetime(2009, 1, 5, 10, 0, tzinfo=SHANGHAI)
AUTHORITY = {"code": "CN-440400", "division": "440400", "name": "珠海市应急管理局"}


@functools.cache
def _keys() -> tuple[KeyStore, tuple[dict, ...]]:
    """Keys made once per process (the root and the authority's), as rows to seed each test."""
    keys = KeyStore(Path(tempfile.mkdtemp(prefix="fake-keys-")), b"fake unit of work passphrase")
    db = FakeDatabase()
    with FakeUnitOfWork(db) as uow:
        keys.ensure(uow, [AUTHORITY["code"]], KEYS_MADE)  # type: ignore[arg-type]
        uow.commit()
    columns = [a.key for a in SigningKeyRow.__mapper__.column_attrs]
    return keys, tuple({c: getattr(row, c) for c in columns} for row in db.rows(SigningKeyRow))


class NoSessions:
    """The certificate acts and approval keep no sessions: any use is a test failure."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"a service under the fake unit of work used sessions.{name}")


def fake_context() -> tuple[ServiceContext, FakeDatabase]:
    """A fresh in-memory database (one authority, its keys) and a service context on it."""
    keys, key_rows = _keys()
    db = FakeDatabase()
    db.add(Authority(**AUTHORITY, auto_approve=True, created_at=KEYS_MADE))
    for row in key_rows:
        db.add(SigningKeyRow(**row))
    ctx = ServiceContext(
        clock=FixedClock(NOW),
        keys=keys,
        status_lists=StatusListService(keys),
        uow=lambda: FakeUnitOfWork(db),  # type: ignore[arg-type,return-value]
        sessions=NoSessions(),  # type: ignore[arg-type]
        identity=UnconfiguredIdentityProvider(),
        sms=UnconfiguredSmsGateway(),
    )
    return ctx, db


@pytest.fixture
def fake() -> tuple[ServiceContext, FakeDatabase]:
    return fake_context()


@pytest.fixture
def fake_ctx(fake: tuple[ServiceContext, FakeDatabase]) -> ServiceContext:
    return fake[0]


@pytest.fixture
def fake_db(fake: tuple[ServiceContext, FakeDatabase]) -> FakeDatabase:
    return fake[1]


def issue(ctx: ServiceContext, *, name: str = "张三", item: str = "1.2") -> tuple[str, str]:
    """Issue one certificate through the real issuance pipeline; returns (number, item)."""
    with ctx.uow() as uow:
        authority = uow.registry.authority(AUTHORITY["code"])
        assert authority is not None
        request = IssueRequest(
            id_number(), name, 1, item, CURRENT_CATALOGUE_VERSION, authority, None
        )
        [done] = issue_many(uow, ctx, [request])
        uow.commit()
    return done.number, item
