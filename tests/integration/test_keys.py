"""Key rotation and compromise: what old and new credentials verify as."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import trust
from opcert.services.verification import query as certificates
from tests.integration.builders import make_result


def issue_one(ctx, world) -> tuple[str, str]:
    [outcome] = submit_results(ctx, world.zhuhai, [make_result()])
    assert outcome.outcome == "issued"
    return outcome.certificate_no, "1.2"


def verdict(client, text: str) -> str:
    return client.post("/api/v1/verify", json={"payload": text}).json()["verdict"]


def test_after_a_rotation_old_and_new_credentials_both_verify_and_new_ones_use_the_new_key(
    client, ctx, world
):
    old_cert = issue_one(ctx, world)
    old_text = certificates.current_credential(ctx, *old_cert)
    retired, active = trust.rotate(ctx, "CN-440400")
    new_cert = issue_one(ctx, world)
    new_text = certificates.current_credential(ctx, *new_cert)
    assert verdict(client, old_text) == "VALID"
    assert verdict(client, new_text) == "VALID"
    body = client.post("/api/v1/verify", json={"payload": new_text}).json()
    statuses = {k["kid"]: k["status"] for k in _trust_keys(client)}
    assert statuses[retired] == "retired"
    assert statuses[active] == "active"
    assert body["checks"][1]["outcome"] == "passed"


def _trust_keys(client):
    from tests.independent import spec_verifier

    root = client.get("/.well-known/opcert/root-key").json()
    keys = spec_verifier.trust_list(client.get("/.well-known/opcert/trust-list").text, root)
    return [dict(k, kid=k["kid"]) for k in keys.values()]


def test_credentials_signed_after_a_compromise_verify_key_revoked_and_are_re_signed(
    client, ctx, world, clock
):
    before = issue_one(ctx, world)
    before_text = certificates.current_credential(ctx, *before)
    clock.advance(timedelta(hours=1))
    compromised_at = clock.now()
    clock.advance(timedelta(minutes=5))
    after = issue_one(ctx, world)
    after_text = certificates.current_credential(ctx, *after)
    with ctx.uow() as uow:
        kid = uow.keys.active_for("CN-440400").kid
    clock.advance(timedelta(hours=1))
    resigned = trust.compromise(ctx, kid, compromised_at, resign=True)
    assert resigned == 1
    assert verdict(client, before_text) == "VALID"
    assert verdict(client, after_text) == "KEY_REVOKED"
    fresh = certificates.current_credential(ctx, *after)
    assert fresh != after_text
    assert verdict(client, fresh) == "VALID"


def test_private_keys_are_encrypted_files_readable_only_by_the_owner(data_dir):
    files = list((data_dir / "keys").glob("*.pem"))
    assert len(files) >= 2
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
