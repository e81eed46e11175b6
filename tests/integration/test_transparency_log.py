"""Every credential the platform signs is in its transparency log, with proofs that verify."""

from __future__ import annotations

from sqlalchemy import select

from opcert.credential.tlog import leaf_data_of
from opcert.credential.tlog_merkle import MemoryTree, leaf_hash
from opcert.persistence.models import CredentialVersion, LogEntry
from opcert.services import transparency_log
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result


def issue(ctx, world, n=1):
    rows = [make_result() for _ in range(n)]
    outcomes = submit_results(ctx, world.zhuhai, rows)
    assert all(o.outcome == "issued" for o in outcomes)
    return outcomes


def logged(ctx):
    with ctx.uow() as uow:
        versions = uow.session.execute(select(CredentialVersion.cti, CredentialVersion.sc1)).all()
        entries = uow.session.scalars(select(LogEntry).order_by(LogEntry.idx)).all()
        for entry in entries:
            uow.session.expunge(entry)
        size, root = uow.log.size(), transparency_log.root_at(uow, uow.log.size())
    return versions, entries, size, root


def test_every_credential_issued_in_a_batch_is_logged_with_its_application(ctx, world):
    outcomes = issue(ctx, world, n=7)
    versions, entries, size, root = logged(ctx)
    assert size == len(entries) == len(versions) == 7
    by_cti = {e.cti: e for e in entries}
    for cti, sc1 in versions:
        entry = by_cti[cti]
        assert entry.entry == leaf_data_of(sc1)
        assert entry.leaf_hash == leaf_hash(entry.entry)
    assert {e.application_id for e in entries} == {o.application_id for o in outcomes}
    assert [e.idx for e in entries] == list(range(7))
    assert root == MemoryTree([e.leaf_hash for e in entries]).root()


def test_the_log_grows_batch_after_batch_and_its_tiles_give_the_whole_tree(ctx, world):
    for n in (3, 1, 300):
        issue(ctx, world, n=n)
    _, entries, size, root = logged(ctx)
    assert size == 304
    assert root == MemoryTree([e.leaf_hash for e in entries]).root()
