"""Keys on a PKCS#11 token (SoftHSM2): credentials signed there verify by the spec alone.

The token lives in a temporary directory named by SOFTHSM2_CONF. SoftHSM2 reads that variable
once, when its library is first loaded, and python-pkcs11 loads a library once per process, so
every test here shares one token. `make test` installs SoftHSM2 first (`make softhsm`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from opcert.bootstrap import build, initialise
from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import (
    ALG_EDDSA,
    ALG_ES256,
    SoftwareSigner,
    generate_private_key,
    kid_b64,
    public_jwk,
)
from opcert.credential.pkcs11_signer import HsmError, Pkcs11Token, pkcs11_uri
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import StatusBits, StatusList, sign_status_list
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList, sign_trust_list
from opcert.domain.clock import FixedClock
from opcert.domain.errors import NotFound
from opcert.interfaces.api.app import create_app
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel.keystore import KeyStore
from opcert.services.verification import query as certificates
from opcert.settings import Settings
from tests.independent import spec_verifier
from tests.integration.builders import World, make_result
from tests.integration.conftest import START

MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
MODULE = next((path for path in MODULES if Path(path).exists()), None)
LABEL, PIN = "opcert-test", "1234"
NOW = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    MODULE is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is not installed (run `make softhsm`: apt-get install -y softhsm2)",
)


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SoftHSM2 configuration with one initialised token; yields the module path."""
    assert MODULE is not None
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", LABEL, "--pin", PIN,
         "--so-pin", "5678"],
        check=True, capture_output=True,
    )  # fmt: skip
    yield MODULE
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="module")
def token(softhsm: str) -> Iterator[Pkcs11Token]:
    opened = Pkcs11Token(softhsm, LABEL, PIN)
    yield opened
    opened.close()


def make_payload(issuer: str, list_id: str) -> CredentialPayload:
    claims = CertificateClaims(
        typ="SO", no="T440402199003071234", nam="张三", sex=1, cat="1", itm="1.2",
        itn="低压电工作业", fst="2026-11-20", vfr="2026-11-20", vto="2032-11-20",
        rvd="2029-11-20", aut="珠海市应急管理局", rs="MEM19", st=(list_id, 4242),
    )  # fmt: skip
    iat = int(datetime(2026, 11, 20, 2, 0, tzinfo=UTC).timestamp())
    return CredentialPayload(issuer, iat, exp_for(date(2032, 11, 20)), bytes(16), claims)


@pytest.mark.parametrize("alg", [ALG_EDDSA, ALG_ES256], ids=["EdDSA", "ES256"])
def test_a_credential_signed_on_the_token_verifies_valid_with_the_spec_verifier(
    token: Pkcs11Token, alg: int
) -> None:
    signer = token.generate(alg)
    issuer, list_id = "CN-440400", "CN-440400-0001"
    text = encode(make_payload(issuer, list_id), signer)
    root = SoftwareSigner(generate_private_key(ALG_EDDSA))
    jose = "EdDSA" if alg == ALG_EDDSA else "ES256"
    key = TrustedKey(signer.kid, issuer, jose, signer.public_key(), 0, None, KeyStatus.ACTIVE, None)
    now = int(NOW.timestamp())
    trust = sign_trust_list(TrustList("CN", now, now + 3600, (key,)), root)
    status = StatusList(list_id, issuer, now, 600, StatusBits(), exp=now + 86400, rev=1)
    statuses = {list_id: sign_status_list(status, signer)}  # the token signs the list too
    keys = spec_verifier.trust_list(trust, public_jwk(root.public_key()))  # the pinned root
    assert spec_verifier.verify(text, keys, statuses, NOW)[0] == "VALID"


def test_a_key_is_found_again_by_its_uri_after_the_session_is_closed(token: Pkcs11Token) -> None:
    signer = token.generate()
    token.close()
    again = token.signer(signer.uri)
    assert again.kid == signer.kid and again.alg == ALG_EDDSA
    assert again.public_key().public_bytes_raw() == signer.public_key().public_bytes_raw()  # type: ignore[union-attr]


def test_the_key_on_the_token_is_labelled_with_its_kid(token: Pkcs11Token) -> None:
    signer = token.generate()
    assert signer.uri == pkcs11_uri(LABEL, kid_b64(spec_verifier.kid_of(signer.public_key())))


def test_a_uri_of_another_token_or_an_absent_key_is_refused(token: Pkcs11Token) -> None:
    with pytest.raises(HsmError, match="not 'opcert-test'"):
        token.signer(pkcs11_uri("some-other-token", "AAAAAAAAAAA"))
    with pytest.raises(HsmError, match="no single key pair"):
        token.signer(pkcs11_uri(LABEL, "AAAAAAAAAAA"))


def test_a_wrong_pin_is_an_hsm_error(token: Pkcs11Token, softhsm: str) -> None:
    token.close()  # login is per process: with no session open, the PIN is checked
    with pytest.raises(HsmError, match="PinIncorrect"):
        Pkcs11Token(softhsm, LABEL, "0000").generate()


def test_a_key_on_a_token_needs_pkcs11_configured(token: Pkcs11Token, tmp_path: Path) -> None:
    uri = token.generate().uri
    with pytest.raises(NotFound) as raised:
        KeyStore(tmp_path, b"passphrase")._load("kid", uri)
    assert raised.value.code == "HSM_NOT_CONFIGURED"


def test_a_platform_set_to_pkcs11_keeps_its_keys_on_the_token_and_issues_valid_credentials(
    softhsm: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'opcert.sqlite'}",
        signer="pkcs11", pkcs11_module=softhsm, pkcs11_token_label=LABEL, pkcs11_pin=PIN,
    )  # fmt: skip
    platform = build(settings, clock=FixedClock(START))
    try:
        initialise(platform)
        ctx = platform.ctx
        with ctx.uow() as uow:
            refs = {row.key_ref for row in uow.keys.all()}
        assert refs and all(ref.startswith(f"pkcs11:token={LABEL};object=") for ref in refs)
        assert not (tmp_path / "keys").exists() or not any((tmp_path / "keys").iterdir())
        world = World.create(ctx)
        [outcome] = submit_results(ctx, world.zhuhai, [make_result()])
        assert outcome.outcome == "issued"
        text = certificates.current_credential(ctx, outcome.certificate_no, "1.2")
        with TestClient(create_app(platform)) as client:
            root = client.get("/.well-known/opcert/root-key").json()
            keys = spec_verifier.trust_list(client.get("/.well-known/opcert/trust-list").text, root)
            statuses = {
                "CN-440400-0001": client.get("/.well-known/opcert/status/CN-440400-0001").text
            }
        assert spec_verifier.verify(text, keys, statuses, ctx.now())[0] == "VALID"
    finally:
        platform.ctx.keys._hsm.close()  # type: ignore[union-attr]
        platform.close()
