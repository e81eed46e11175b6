"""``opcert log audit`` finds what was issued outside the platform and any rewritten history."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from opcert.credential.claims import CredentialPayload
from opcert.credential.keys import SoftwareSigner, generate_private_key
from opcert.credential.sc1 import decode, encode
from opcert.credential.tlog import Checkpoint, sign_checkpoint
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from opcert.persistence.models import Certificate, CredentialVersion
from opcert.services.intake.pipeline import submit_results
from opcert.services.issuance import log as transparency_log
from opcert.services.issuance.log_audit import audit
from opcert.services.lifecycle import acts
from tests.integration.builders import id_number, make_result
from tests.integration.conftest import START


@pytest.fixture
def log_audit(platform, monkeypatch):
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    cli_context.platform.cache_clear()

    def run():
        result = CliRunner().invoke(app, ["log", "audit", "--json"])
        return result.exit_code, json.loads(result.stdout)

    yield run
    cli_context.platform.cache_clear()


def issue(ctx, world, n):
    outcomes = submit_results(ctx, world.zhuhai, [make_result() for _ in range(n)])
    assert all(o.outcome == "issued" for o in outcomes)


def kinds(report):
    return sorted({f["kind"] for f in report["findings"]})


def mint_outside_the_platform(ctx, iat_shift=0):
    """A thief with a copy of the issuer's private key signs a credential for 冒名者 and puts
    a certificate row straight into the database: no exam result, no issuance, no log."""
    with ctx.uow() as uow:
        model = uow.session.scalars(select(CredentialVersion).limit(1)).one()
        template = uow.session.get(Certificate, model.certificate_id)
        stolen_key = ctx.keys.signer_for(uow, model.issuer)
        number = id_number()
        old = decode(model.sc1).payload
        payload = CredentialPayload(
            iss=old.iss,
            iat=old.iat + iat_shift,
            exp=old.exp,
            cti=os.urandom(16),
            certificate=dataclasses.replace(old.certificate, no=number, nam="冒名者"),
        )
        sc1 = encode(payload, stolen_key)
        forged = Certificate(
            **{
                c.key: getattr(template, c.key)
                for c in Certificate.__table__.columns
                if c.key not in ("id", "current_version_id")
            }
        )
        forged.number, forged.id_number, forged.name, forged.application_id = (
            number, number, "冒名者", None,
        )  # fmt: skip
        uow.session.add(forged)
        uow.session.flush()
        version = CredentialVersion(
            certificate_id=forged.id, version=1, cti=payload.cti.hex(), kid=model.kid,
            issuer=model.issuer, iat=payload.iat, sc1=sc1, list_id=model.list_id,
            list_index=model.list_index + 1, status_value=0, created_at=model.created_at,
        )  # fmt: skip
        uow.session.add(version)
        uow.session.flush()
        forged.current_version_id = version.id
        uow.commit()
    return number


def test_a_platform_that_issued_everything_itself_audits_clean(ctx, world, client, log_audit):
    issue(ctx, world, 4)
    client.get("/.well-known/opcert/log/checkpoint")
    issue(ctx, world, 3)
    client.get("/.well-known/opcert/log/checkpoint")
    code, report = log_audit()
    assert (code, report["findings"]) == (0, [])
    assert (report["entries"], report["checkpoints"], report["credentials"]) == (7, 2, 7)


def test_a_replacement_card_is_logged_and_the_platform_still_audits_clean(ctx, world, client):
    outcomes = submit_results(ctx, world.zhuhai, [make_result(item="1.2")])
    replaced = acts.replace(ctx, outcomes[0].certificate_no, "1.2", "lost")
    proof = client.get(f"/api/v1/log/proof?cti={replaced.cti}")
    assert proof.status_code == 200
    report = audit(ctx)
    assert (report.findings, report.entries, report.credentials) == ([], 2, 2)


def test_a_credential_minted_with_a_copied_issuer_key_is_found(ctx, world, log_audit):
    issue(ctx, world, 2)
    number = mint_outside_the_platform(ctx)
    code, report = log_audit()
    assert code == 1
    found = {(f["kind"], f["subject"].split("/")[0]) for f in report["findings"]}
    assert ("certificate_not_logged", number) in found
    assert ("exam_result_missing", number) in found


def test_a_credential_dated_before_its_key_is_flagged(ctx, world):
    issue(ctx, world, 1)
    # The session's keys are made on 2009-01-05 (conftest KEYS_MADE): 30 years back is before.
    mint_outside_the_platform(ctx, iat_shift=-30 * 365 * 86400)
    report = audit(ctx)
    assert "iat_outside_key_validity" in {f.kind for f in report.findings}


def test_a_logged_credential_whose_certificate_was_removed_is_found(ctx, world):
    issue(ctx, world, 2)
    with ctx.uow() as uow:
        uow.session.execute(
            text(
                "UPDATE credential_versions SET cti = :x WHERE id = "
                "(SELECT MIN(id) FROM credential_versions)"
            ),
            {"x": "ab" * 16},
        )
        uow.commit()
    kinds_found = {f.kind for f in audit(ctx).findings}
    assert {"logged_without_certificate", "certificate_not_logged"} <= kinds_found


def test_a_certificate_whose_exam_result_failed_is_found(ctx, world):
    issue(ctx, world, 2)
    with ctx.uow() as uow:
        uow.session.execute(text("UPDATE exam_results SET passed = :no"), {"no": False})
        uow.commit()
    assert [f.kind for f in audit(ctx).findings] == ["exam_result_failed"] * 2


def test_a_checkpoint_the_log_no_longer_extends_is_found(ctx, world, client):
    issue(ctx, world, 3)
    client.get("/.well-known/opcert/log/checkpoint")
    with ctx.uow() as uow:
        root = ctx.keys.root_signer(uow)
        # A head for a history where entry 0 was another credential: signed, but a fork.
        fork = Checkpoint(transparency_log.origin(ctx.base_url), 2, b"\x01" * 32)
        uow.log.add_checkpoint(2, fork.root, ctx.now(), sign_checkpoint(fork, root))
        stranger = SoftwareSigner(generate_private_key())
        foreign = Checkpoint(fork.origin, 3, b"\x02" * 32)
        uow.log.add_checkpoint(3, foreign.root, ctx.now(), sign_checkpoint(foreign, stranger))
        uow.commit()
    found = sorted(f.kind for f in audit(ctx).findings)
    assert found == ["checkpoint_inconsistent", "checkpoint_invalid"]


def test_an_entry_altered_in_the_log_is_found(ctx, world, client):
    issue(ctx, world, 3)
    with ctx.uow() as uow:
        uow.session.execute(text("UPDATE log_entries SET entry = :e WHERE idx = 1"), {"e": b"x"})
        uow.commit()
    assert "log_entry_altered" in {f.kind for f in audit(ctx).findings}
