"""Every credential the platform signs is in its transparency log, with proofs that verify."""

from __future__ import annotations

from sqlalchemy import select

from opcert.credential.tlog import (
    leaf_data_of,
    open_checkpoint,
    parse_checkpoint_text,
    parse_proof,
    verify_inclusion,
)
from opcert.credential.tlog_merkle import MemoryTree, leaf_hash
from opcert.credential.tlog_tiles import parse_entry_bundle, tile_hashes
from opcert.persistence.models import CredentialVersion, LogEntry
from opcert.services.intake.pipeline import submit_results
from opcert.services.issuance import log as transparency_log
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


def root_key(ctx):
    with ctx.uow() as uow:
        return ctx.keys.root_signer(uow).public_key()


def test_the_served_checkpoint_is_signed_by_the_root_under_the_platforms_origin(ctx, world, client):
    issue(ctx, world, n=3)
    response = client.get("/.well-known/opcert/log/checkpoint")
    assert response.status_code == 200
    origin = transparency_log.origin(ctx.base_url)
    checkpoint = open_checkpoint(response.text, [root_key(ctx)], origin)
    assert checkpoint.size == 3 and origin.endswith("/.well-known/opcert/log")
    _, entries, _, root = logged(ctx)
    assert checkpoint.root == root
    # The same tree gives the same note; a grown tree a new, consistent one.
    assert client.get("/.well-known/opcert/log/checkpoint").text == response.text
    issue(ctx, world, n=2)
    later = open_checkpoint(
        client.get("/.well-known/opcert/log/checkpoint").text, [root_key(ctx)], origin
    )
    assert later.size == 5


def test_a_credentials_proof_verifies_offline_and_an_unknown_cti_gets_404(ctx, world, client):
    issue(ctx, world, n=5)
    versions, _, _, _ = logged(ctx)
    cti, sc1 = versions[3]
    response = client.get(f"/api/v1/log/proof?cti={cti}")
    assert response.status_code == 200
    proof = parse_proof(response.text)
    assert verify_inclusion(leaf_data_of(sc1), proof, None, [root_key(ctx)])
    other_sc1 = versions[2][1]
    assert not verify_inclusion(leaf_data_of(other_sc1), proof, None, [root_key(ctx)])
    assert client.get(f"/api/v1/log/proof?cti={'ab' * 16}").status_code == 404
    refused = client.get("/api/v1/log/proof?cti=xyz")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "cti"


def test_tiles_and_entry_bundles_rebuild_the_checkpointed_tree(ctx, world, client):
    issue(ctx, world, n=6)
    checkpoint = parse_checkpoint_text(
        client.get("/.well-known/opcert/log/checkpoint").text.split("\n\n")[0] + "\n"
    )
    tile = client.get("/.well-known/opcert/log/tile/0/000.p/6")
    bundle = client.get("/.well-known/opcert/log/tile/entries/000.p/6")
    assert tile.status_code == bundle.status_code == 200
    hashes = tile_hashes(tile.content)
    assert hashes == [leaf_hash(e) for e in parse_entry_bundle(bundle.content)]
    assert MemoryTree(hashes).root() == checkpoint.root
    assert client.get("/.well-known/opcert/log/tile/0/000.p/5").status_code == 200
    for missing in ("0/000.p/7", "0/000", "1/000", "0/x000/000", "../../checkpoint"):
        assert client.get(f"/.well-known/opcert/log/tile/{missing}").status_code == 404


def test_a_tile_path_no_route_matches_answers_404_problem_json(client):
    """schemathesis found it: a newline in a tile path matched no route, and the answer was
    FastAPI's plain JSON instead of the problem+json every API error is."""
    found = "/.well-known/opcert/log/tile/%5E%C3%8F%C2%A5%C3%8D%C3%95%F0%A3%A2%97%3E%C3%8F%0A"
    for path in (found, "/api/v1/no-such-operation"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json"), path
