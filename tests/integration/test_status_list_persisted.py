"""Built status lists are stored (decision 0011): a restarted process loads them instead of
scanning every credential version, a status change updates them, and stored bits that no longer
match the list's revision are rebuilt, never served."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event

from opcert.bootstrap import Platform, build
from opcert.credential.statuslist import StatusBits
from opcert.domain.certificates import StatusCode
from opcert.domain.clock import FixedClock
from opcert.interfaces.api.app import create_app
from opcert.services.kernel.statuslists import persist, warm
from opcert.services.lifecycle import acts
from opcert.services.synth import synthesise
from opcert.services.verification import query as certificates
from tests.integration.test_credentials_on_platform import issue


@contextmanager
def restarted(platform: Platform) -> Iterator[Platform]:
    """A second platform on the same database and data dir, as after a restart: nothing in its
    memory."""
    again = build(platform.settings, clock=FixedClock(platform.ctx.now()))
    try:
        yield again
    finally:
        again.close()


@contextmanager
def scans(platform: Platform) -> Iterator[list[str]]:
    """The statements ``platform`` sends that read the entries of a status list from
    ``credential_versions`` (the scan that stored bits spare)."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "credential_versions" in statement and "list_id" in statement.split("WHERE", 1)[-1]:
            seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(platform.engine, "before_cursor_execute", listen)


def _entry(ctx, number: str, item: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        certificate = uow.certificates.get(number, item)
        version = uow.certificates.version(certificate.current_version_id)
        return version.list_id, version.list_index


def _stored(ctx, list_id: str) -> tuple[int, StatusBits] | None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        row = uow.certificates.stored_bits(list_id)
        return None if row is None else (row.revision, StatusBits.decode(row.bits))


def _revision(ctx, list_id: str) -> int:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        row = uow.certificates.status_list(list_id)
        assert row is not None
        return row.revision


def test_a_revocation_changes_the_stored_bits_in_its_own_transaction(ctx, world) -> None:  # type: ignore[no-untyped-def]
    [(number, item)] = issue(ctx, world)
    list_id, index = _entry(ctx, number, item)
    warm(ctx)
    stored = _stored(ctx, list_id)
    assert stored is not None and stored[1].get(index) == StatusCode.IN_FORCE

    acts.revoke(ctx, number, item, "证书记载虚假信息")

    stored = _stored(ctx, list_id)
    assert stored is not None
    assert stored[0] == _revision(ctx, list_id)  # no rebuild needed: current at once
    assert stored[1].get(index) == StatusCode.VOID


def test_a_restarted_platform_serves_the_same_lists_without_scanning_credential_versions(
    platform, ctx, client, world
) -> None:  # type: ignore[no-untyped-def]
    synthesise(ctx, 0.0001, seed=3)
    issued = issue(ctx, world, 3)
    acts.revoke(ctx, *issued[1], "证书记载虚假信息")
    texts = [certificates.current_credential(ctx, n, i) for n, i in issued]
    total = warm(ctx)
    before = [client.post("/api/v1/verify", json={"payload": t}).json()["verdict"] for t in texts]
    assert before == ["VALID", "REVOKED", "VALID"]

    with restarted(platform) as again, scans(again) as seen:
        assert warm(again.ctx) == total
        assert seen == []  # every list loaded from the stored bits
        assert (again.ctx.status_lists.loaded, again.ctx.status_lists.scanned) == (total, 0)
        for list_id in again.ctx.status_lists.warm_lists(again.ctx.now()):
            with again.ctx.reader() as uow, ctx.reader() as first:
                loaded = again.ctx.status_lists.current_bits(uow, list_id, again.ctx.now())
                built = ctx.status_lists.current_bits(first, list_id, ctx.now())
                assert loaded is not None and built is not None and loaded.bits == built.bits
        with TestClient(create_app(again)) as second:
            assert second.get("/healthz").json()["status_lists"] == {
                "built": total,
                "total": total,
                "warm": True,
            }
            after = [second.post("/api/v1/verify", json={"payload": t}).json() for t in texts]
        assert [a["verdict"] for a in after] == before
        assert seen == []


def test_stored_bits_behind_the_list_revision_are_rebuilt_never_served(
    platform, ctx, world
) -> None:  # type: ignore[no-untyped-def]
    [(number, item)] = issue(ctx, world)
    list_id, index = _entry(ctx, number, item)
    warm(ctx)
    # A revocation by a process that knows nothing of the stored bits (an older release during
    # a rolling upgrade): the entry and the revision move, the stored bits stay behind.
    with ctx.uow() as uow:
        uow.begin_write()
        certificate = uow.certificates.get(number, item)
        version = uow.certificates.version(certificate.current_version_id)
        uow.certificates.set_status(version, StatusCode.VOID, ctx.now())
        uow.commit()
    stale = _stored(ctx, list_id)
    assert stale is not None and stale[1].get(index) == StatusCode.IN_FORCE

    with restarted(platform) as again, scans(again) as seen:
        with again.ctx.reader() as uow:
            served = again.ctx.status_lists.current_bits(uow, list_id, again.ctx.now())
        assert served is not None and served.bits.get(index) == StatusCode.VOID
        assert seen  # the list was scanned again
        assert persist(again.ctx) == 1
    stored = _stored(ctx, list_id)
    assert stored is not None
    assert stored[0] == _revision(ctx, list_id) and stored[1].get(index) == StatusCode.VOID


def test_a_lifted_suspension_is_served_in_force_after_a_restart(platform, ctx, world) -> None:  # type: ignore[no-untyped-def]
    [(number, item)] = issue(ctx, world)
    list_id, index = _entry(ctx, number, item)
    warm(ctx)
    acts.suspend(ctx, number, item, "调查中")
    stored = _stored(ctx, list_id)
    assert stored is not None and stored[1].get(index) == StatusCode.SUSPENDED
    acts.reinstate(ctx, number, item, "调查结束")
    with restarted(platform) as again:
        warm(again.ctx)
        with again.ctx.reader() as uow:
            served = again.ctx.status_lists.current_bits(uow, list_id, again.ctx.now())
        assert served is not None and served.bits.get(index) == StatusCode.IN_FORCE
        assert again.ctx.status_lists.scanned == 1  # that list alone was built again
    stored = _stored(ctx, list_id)
    assert stored is not None
    assert stored[0] == _revision(ctx, list_id) and stored[1].get(index) == StatusCode.IN_FORCE


def test_bits_built_before_a_revocation_are_not_stored_over_it(ctx, world) -> None:  # type: ignore[no-untyped-def]
    [(number, item)] = issue(ctx, world)
    list_id, index = _entry(ctx, number, item)
    with ctx.reader() as uow:  # built by a check, not yet stored
        ctx.status_lists.current_bits(uow, list_id, ctx.now())
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    assert persist(ctx) == 0
    assert _stored(ctx, list_id) is None
    warm(ctx)
    stored = _stored(ctx, list_id)
    assert stored is not None and stored[1].get(index) == StatusCode.VOID
