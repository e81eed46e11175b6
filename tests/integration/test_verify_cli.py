"""``opcert verify`` against attacker bundles, stale and rolled-back lists and hostile input:
never VALID for a forgery, a verdict (or one clear line) for every input, JSON with --json."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from opcert.credential.base45_codec import b45encode
from opcert.credential.keys import public_jwk
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import sign_status_list
from opcert.credential.trustlist import sign_trust_list
from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.entry import verify_app
from opcert.interfaces.cli.main import app
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import trust as trust_service
from opcert.services.verification import query as certificates
from tests.integration.builders import make_result
from tests.integration.conftest import START
from tests.unit.credential.builders import (
    make_payload,
    make_signer,
    make_status_list,
    make_trust_list,
    make_trusted_key,
)


@pytest.fixture
def cli(platform, monkeypatch, tmp_path):
    monkeypatch.setenv("OPCERT_VERIFIER_STATE", str(tmp_path / "verifier-state.json"))
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    monkeypatch.delenv("OPCERT_ROOT_FINGERPRINT", raising=False)
    cli_context.platform.cache_clear()
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args))

    yield run
    cli_context.platform.cache_clear()


@pytest.fixture
def issued(ctx, world, tmp_path) -> tuple[str, str, str, Path]:
    """(credential, number, item, exported bundle's trust-list.jws) of one fresh certificate."""
    row = make_result()
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    number, item = outcome.certificate_no, row["item"]
    trust_service.export(ctx, tmp_path / "trust")
    credential = certificates.current_credential(ctx, number, item)
    return credential, number, item, tmp_path / "trust" / "trust-list.jws"


@pytest.fixture
def pinned(ctx) -> str:
    with ctx.reader() as uow:
        return ctx.keys.root_fingerprint(uow)


def offline(trust_file: Path, *more: str) -> list[str]:
    return ["--offline", "--trust-list", str(trust_file), *more, "--json"]


def test_a_pinned_genuine_bundle_is_valid_and_names_the_fingerprint_it_trusted(cli, issued, pinned):
    credential, _, _, trust_file = issued
    result = cli("verify", credential, *offline(trust_file, "--root-fingerprint", pinned))
    assert result.exit_code == 0, result.stdout
    answer = json.loads(result.stdout)
    assert (answer["verdict"], answer["root_fingerprint"]) == ("VALID", pinned)
    human = cli(
        "verify",
        credential,
        "--offline",
        "--trust-list",
        str(trust_file),
        "--root-fingerprint",
        pinned,
    )
    assert pinned in human.stdout


def test_the_root_key_lying_beside_the_trust_list_is_not_trusted_by_itself(cli, issued):
    credential, _, _, trust_file = issued
    result = cli("verify", credential, *offline(trust_file))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["verdict"] == "UNTRUSTED_ROOT"


def test_the_fingerprint_may_come_from_the_environment(cli, issued, pinned, monkeypatch):
    credential, _, _, trust_file = issued
    monkeypatch.setenv("OPCERT_ROOT_FINGERPRINT", pinned.upper())
    assert cli("verify", credential, *offline(trust_file)).exit_code == 0


def test_the_forged_bundle_attack_gives_untrusted_root_and_a_non_zero_exit(
    cli, issued, pinned, tmp_path
):
    forged = tmp_path / "forged"
    (forged / "status").mkdir(parents=True)
    attacker_root, attacker_key = make_signer(), make_signer()
    trust = make_trust_list(make_trusted_key(attacker_key, nbf=0), exp=2**33)
    (forged / "trust-list.jws").write_text(sign_trust_list(trust, attacker_root))
    (forged / "root-key.jwk").write_text(json.dumps(public_jwk(attacker_root.public_key())))
    far = int(START.timestamp()) + 86400 * 365 * 50
    status = make_status_list(iat=int(START.timestamp()), exp=far, rev=10**9)
    (forged / "status" / "CN-440400-0001.jws").write_text(sign_status_list(status, attacker_key))
    fake = encode(
        make_payload(nam="冒名者", vfr="2020-01-01", fst="2020-01-01", vto="2099-12-31"),
        attacker_key,
    )
    for pins in ([], ["--root-fingerprint", pinned]):
        result = cli("verify", fake, *offline(forged / "trust-list.jws", *pins))
        assert result.exit_code == 1
        answer = json.loads(result.stdout)
        assert answer["verdict"] == "UNTRUSTED_ROOT"
        assert answer["certificate"] is None


def test_a_status_list_rolled_back_to_before_a_revocation_is_refused(
    cli, issued, pinned, tmp_path, ctx
):
    credential, number, item, trust_file = issued
    pin = ["--root-fingerprint", pinned]
    assert cli("verify", credential, *offline(trust_file, *pin)).exit_code == 0
    kept = tmp_path / "kept-status"
    shutil.copytree(trust_file.parent / "status", kept)
    revoked = cli("certificates", "revoke", number, "--item", item, "--reason", "证书记载虚假信息")
    assert revoked.exit_code == 0, revoked.stderr
    trust_service.export(ctx, trust_file.parent)
    now_revoked = cli("verify", credential, *offline(trust_file, *pin))
    assert json.loads(now_revoked.stdout)["verdict"] == "REVOKED"
    rolled_back = cli("verify", credential, *offline(trust_file, *pin, "--status-dir", str(kept)))
    assert rolled_back.exit_code == 1
    answer = json.loads(rolled_back.stdout)
    assert answer["verdict"] == "STATUS_UNKNOWN"
    assert "older" in answer["checks"][-1]["message_en"]


def test_lists_carried_offline_for_days_give_status_unknown_with_their_age_and_a_stale_warning(
    cli, issued, pinned, monkeypatch
):
    credential, _, _, trust_file = issued
    monkeypatch.setenv("OPCERT_FAKE_NOW", (START + timedelta(days=3)).isoformat())
    result = cli("verify", credential, *offline(trust_file, "--root-fingerprint", pinned))
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "STATUS_UNKNOWN"
    assert answer["status_age_seconds"] >= 3 * 86400
    key_check = next(check for check in answer["checks"] if check["name"] == "key")
    assert key_check["code"] == "STALE_TRUST_LIST"


def test_a_missing_trust_file_is_one_line_and_still_json(cli, tmp_path):
    result = cli("verify", "SC1:ABC", *offline(tmp_path / "nowhere.jws"))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "trust list" in result.stderr
    assert json.loads(result.stdout)["verdict"] is None


def hostile_inputs(tmp_path: Path) -> list[str]:
    binary = tmp_path / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    pdf = tmp_path / "blank.pdf"
    pdf.write_bytes(_blank_pdf())
    return ["", ".", str(tmp_path), str(binary), str(pdf), "HC1:" + "A" * 5000, " \r\n", "sc1:X"]


def _blank_pdf() -> bytes:

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 750, "no QR code here")
    page.save()
    return buffer.getvalue()


def test_every_input_gets_a_malformed_verdict_in_json(cli, issued, pinned, tmp_path):
    _, _, _, trust_file = issued
    for given_input in hostile_inputs(tmp_path):
        result = cli("verify", given_input, *offline(trust_file, "--root-fingerprint", pinned))
        assert result.exit_code == 1, given_input
        assert json.loads(result.stdout)["verdict"] == "MALFORMED", given_input


def test_offline_verify_loads_neither_the_database_layer_nor_the_web_framework(
    issued, pinned, tmp_path
):
    credential, _, _, trust_file = issued
    probe = (
        "import json, sys\n"
        "from opcert.interfaces.cli import entry\n"
        "sys.argv = ['opcert', *json.loads(sys.argv[1])]\n"
        "try:\n    entry.main()\nexcept SystemExit as done:\n    code = done.code\n"
        "heavy = {'sqlalchemy', 'fastapi', 'starlette', 'opcert.persistence', 'opcert.bootstrap'}\n"
        "print(json.dumps([code, sorted(heavy & set(sys.modules))]), file=sys.stderr)\n"
    )
    args = ["verify", credential, *offline(trust_file, "--root-fingerprint", pinned)]
    args += ["--state", str(tmp_path / "state.json")]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args)], capture_output=True, text=True, env=env
    )
    code, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    # The real clock runs here (a fake one would load the settings): the lists exported on START
    # may be past their exp, so the verdict is VALID or, later, STATUS_UNKNOWN, never an error.
    assert json.loads(done.stdout)["verdict"] in {"VALID", "STATUS_UNKNOWN"}
    assert code in (0, 1)
    assert loaded == []


@pytest.fixture(scope="module")
def signed_bundle(tmp_path_factory) -> list[str]:
    """Options for a pinned, well-signed bundle made without the platform."""
    from opcert.credential.pinning import root_fingerprint

    directory = tmp_path_factory.mktemp("bundle")
    (directory / "status").mkdir()
    root, issuer = make_signer(), make_signer()
    trust_file = directory / "trust-list.jws"
    trust_file.write_text(sign_trust_list(make_trust_list(make_trusted_key(issuer)), root))
    (directory / "root-key.jwk").write_text(json.dumps(public_jwk(root.public_key())))
    pin = root_fingerprint(root.public_key())
    state = str(directory / "state.json")
    return [*offline(trust_file, "--root-fingerprint", pin), "--state", state]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text(max_size=300),
        st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=300).map(
            lambda body: "SC1:" + body
        ),
        st.binary(max_size=200).map(lambda data: "SC1:" + b45encode(zlib.compress(data))),
    )
)
def test_no_input_crashes_the_verify_command_and_each_gets_a_json_verdict(
    signed_bundle: list[str], text: str
) -> None:
    # "--" ends the options, as for any command: a text may begin with "-".
    result = CliRunner().invoke(verify_app(), ["verify", *signed_bundle, "--", text])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["verdict"] in {"MALFORMED", "UNKNOWN_KEY"}


# -- the transparency log (spec section 8, step 6) ----------------------------------------------


def log_proof(client, credential: str, path: Path) -> Path:
    from opcert.credential.sc1 import decode

    cti = decode(credential).payload.cti.hex()
    response = client.get("/api/v1/log/proof", params={"cti": cti})
    assert response.status_code == 200, response.text
    path.write_text(response.text)
    return path


def test_a_logged_credential_with_its_inclusion_proof_is_valid(
    cli, issued, pinned, client, tmp_path
):
    credential, _, _, trust_file = issued
    proof = log_proof(client, credential, tmp_path / "proof.txt")
    result = cli("verify", credential, *offline(trust_file, "--root-fingerprint", pinned,
                                                "--log-proof", str(proof)))  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["verdict"] == "VALID"


def test_requiring_the_log_without_a_proof_gives_not_logged(cli, issued, pinned):
    credential, _, _, trust_file = issued
    result = cli("verify", credential, *offline(trust_file, "--root-fingerprint", pinned,
                                                "--require-log"))  # fmt: skip
    assert result.exit_code != 0
    assert json.loads(result.stdout)["verdict"] == "NOT_LOGGED"


def test_a_credential_minted_with_a_copied_issuer_key_is_not_logged(
    cli, issued, pinned, client, ctx, tmp_path
):
    """A thief with the issuer's private key signs a perfect credential for 冒名者: the
    signature verifies, but it is in no log, so a verifier that requires the log refuses it,
    whatever genuine proof it is handed."""
    import dataclasses
    import os

    from opcert.credential.claims import CredentialPayload
    from opcert.credential.sc1 import decode, encode

    credential, _, _, trust_file = issued
    genuine_proof = log_proof(client, credential, tmp_path / "genuine-proof.txt")
    old = decode(credential).payload
    with ctx.uow() as uow:
        stolen_key = ctx.keys.signer_for(uow, old.iss)
    forged = encode(
        CredentialPayload(
            iss=old.iss,
            iat=old.iat,
            exp=old.exp,
            cti=os.urandom(16),
            certificate=dataclasses.replace(old.certificate, nam="冒名者"),
        ),
        stolen_key,
    )
    without_log = cli("verify", forged, *offline(trust_file, "--root-fingerprint", pinned))
    assert json.loads(without_log.stdout)["verdict"] == "VALID"  # what the log is for
    for extra in (("--require-log",), ("--log-proof", str(genuine_proof))):
        result = cli("verify", forged, *offline(trust_file, "--root-fingerprint", pinned, *extra))
        assert result.exit_code != 0
        assert json.loads(result.stdout)["verdict"] == "NOT_LOGGED", extra


def test_an_unreadable_log_proof_is_one_clear_line(cli, issued, pinned, tmp_path):
    credential, _, _, trust_file = issued
    result = cli("verify", credential, "--offline", "--trust-list", str(trust_file),
                 "--root-fingerprint", pinned, "--log-proof", str(tmp_path / "missing.txt"))  # fmt: skip
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "log proof" in result.output
