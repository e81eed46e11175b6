"""The offline verifier of /verify (issue 13, item 4) in Debian's Chromium: installed once online,
then used with the network cut (``context.set_offline(True)``), as at a mine gate.

The credentials are the seeded ones (their QR photos, read by the page's lazily loaded jsQR),
altered here where a case needs it: a tampered name, a signature by a key outside the trust
list. The published vectors of docs/test-vectors/ run through the same page code, and each
verdict is compared with the file's expected verdict and with the Python verifier's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import expect

from opcert.credential.keys import public_key_from_jwk
from opcert.credential.tlog import TlogError, open_checkpoint
from tests.e2e.conftest import BIN, screenshot
from tests.e2e.offline_page import (
    cose_of,
    cti_of,
    install,
    offline,
    sc1_from,
    sc1_of_photo,
    verify_in_page,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def installed(page, server):  # type: ignore[no-untyped-def]
    return install(page)


def tampered(sc1: str) -> str:
    """The holder's name changed after signing; the signature kept."""
    cose = cose_of(sc1)
    protected, unprotected, payload, signature = cose.value
    claims = cbor2.loads(payload)
    claims[-65537]["nam"] = "冒名者"
    return sc1_from(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))


def signed_by_a_stranger(sc1: str) -> str:
    """The same claims signed by an Ed25519 key that no trust list names."""
    stranger = Ed25519PrivateKey.generate()
    spki = stranger.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    payload = cose_of(sc1).value[2]
    protected = cbor2.dumps({1: -8, 4: hashlib.sha256(spki).digest()[:8]})
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    return sc1_from(cbor2.CBORTag(18, [protected, {}, payload, stranger.sign(to_sign)]))


def test_with_the_network_cut_a_valid_certificate_verifies_as_valid_in_the_page(installed, server):
    _, seeded = server
    offline(installed)
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    verdict = verify_in_page(installed, sc1)
    expect(verdict).to_have_attribute("data-verdict", "VALID")
    expect(verdict).to_contain_text("真实有效")
    expect(installed.get_by_test_id("offline-fingerprint")).not_to_have_text("")
    screenshot(installed, "offline-valid")


def test_with_the_network_cut_a_revoked_certificate_says_revoked(installed, server):
    _, seeded = server
    offline(installed)
    verdict = verify_in_page(installed, sc1_of_photo(installed, seeded.revoked_qr))
    expect(verdict).to_have_attribute("data-verdict", "REVOKED")


def test_with_the_network_cut_a_tampered_name_gives_bad_signature_and_no_trusted_content(
    installed, server
):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    offline(installed)
    verdict = verify_in_page(installed, tampered(sc1))
    expect(verdict).to_have_attribute("data-verdict", "BAD_SIGNATURE")
    expect(installed.locator("#offline-result")).to_contain_text("未经验证")


def test_with_the_network_cut_a_key_outside_the_trust_list_gives_unknown_key(installed, server):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    offline(installed)
    verdict = verify_in_page(installed, signed_by_a_stranger(sc1))
    expect(verdict).to_have_attribute("data-verdict", "UNKNOWN_KEY")


def test_with_the_network_cut_a_certificate_past_its_end_date_says_expired(installed, server):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    offline(installed)
    # The phone's clock, years after the certificate's vto (six-year validity).
    installed.clock.set_fixed_time(datetime(2099, 1, 1, 12, 0))
    expect(verify_in_page(installed, sc1)).to_have_attribute("data-verdict", "EXPIRED")


def test_with_the_network_cut_stale_status_lists_give_status_unknown_not_valid(installed, server):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    offline(installed)
    kept = installed.evaluate(
        "() => Math.max(...[...window.opcertOffline.state().lists.values()]"
        ".map((l) => window.opcertOffline.verifier.listExpiry(l)))"
    )
    installed.clock.set_fixed_time(datetime.fromtimestamp(kept + 60))
    verdict = verify_in_page(installed, sc1)
    expect(verdict).to_have_attribute("data-verdict", "STATUS_UNKNOWN")
    expect(verdict).to_have_attribute("data-code", "LIST_EXPIRED")
    expect(installed.get_by_test_id("offline-lists")).to_contain_text("已过期")


def test_a_status_list_older_than_one_already_accepted_gives_status_unknown(installed, server):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    # This device once accepted a newer revision of every list than the one it keeps now.
    installed.evaluate(
        """() => {
          const seen = JSON.parse(localStorage.getItem("opcert.verify.seen"));
          for (const id of Object.keys(seen)) { seen[id] = { rev: 1e9, iat: seen[id].iat + 1 }; }
          localStorage.setItem("opcert.verify.seen", JSON.stringify(seen));
        }"""
    )
    offline(installed)
    verdict = verify_in_page(installed, sc1)
    expect(verdict).to_have_attribute("data-verdict", "STATUS_UNKNOWN")
    expect(verdict).to_have_attribute("data-code", "LIST_ROLLED_BACK")


def test_a_root_other_than_the_pinned_one_gives_untrusted_root(installed, server):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    installed.evaluate(
        """() => {
          const pin = JSON.parse(localStorage.getItem("opcert.verify.pin"));
          pin.fingerprint = "00".repeat(32);
          localStorage.setItem("opcert.verify.pin", JSON.stringify(pin));
        }"""
    )
    offline(installed)
    expect(verify_in_page(installed, sc1)).to_have_attribute("data-verdict", "UNTRUSTED_ROOT")


def test_the_pinned_fingerprint_is_the_servers_root_and_can_be_compared(installed, server):
    url, _ = server
    import httpx

    config = httpx.get(url + "/verify/offline.json").json()
    root = public_key_from_jwk(config["root_jwk"])
    der = root.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    published = hashlib.sha256(der).hexdigest()
    assert config["root_fingerprint"] == published
    shown = installed.get_by_test_id("offline-fingerprint").inner_text().replace(" ", "")
    assert shown == published
    installed.get_by_label("与公布的根密钥指纹核对").fill(published.upper())
    installed.get_by_role("button", name="核对", exact=True).click()
    expect(installed.get_by_test_id("fingerprint-compare")).to_contain_text("一致")
    installed.get_by_label("与公布的根密钥指纹核对").fill("ab" * 32)
    installed.get_by_role("button", name="核对", exact=True).click()
    expect(installed.get_by_test_id("fingerprint-compare")).to_contain_text("不一致")


def exported_bundle(url: str, directory: Path) -> str:
    """What an inspector's laptop keeps from the server: the trust list, the root key beside it
    and every status list, in `opcert trust export`'s layout. Answers the root fingerprint."""
    import httpx

    config = httpx.get(url + "/verify/offline.json").json()
    (directory / "status").mkdir(parents=True)
    (directory / "trust-list.jws").write_text(httpx.get(url + config["trust_list"]).text)
    (directory / "root-key.jwk").write_text(json.dumps(config["root_jwk"]))
    for list_url in config["status_lists"]:
        name = list_url.rsplit("/", 1)[1] + ".jws"
        (directory / "status" / name).write_text(httpx.get(url + list_url).text)
    return str(config["root_fingerprint"])


def cli_verdict(sc1: str, bundle: Path, fingerprint: str, proof: str | None) -> str:
    """`opcert verify --offline` with `--log-proof` (or `--require-log` without a proof)."""
    scratch = bundle / "scratch"
    scratch.mkdir(exist_ok=True)
    log = ["--require-log"]
    if proof is not None:
        (scratch / "proof.txt").write_text(proof)
        log = ["--log-proof", str(scratch / "proof.txt")]
    done = subprocess.run(
        [str(BIN / "opcert"), "verify", "--offline", "--json", "--trust-list",
         str(bundle / "trust-list.jws"), "--root-fingerprint", fingerprint,
         "--state", str(scratch / "state.json"), *log, "--", sc1],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return str(json.loads(done.stdout)["verdict"])


def test_with_the_network_cut_a_server_log_proof_gives_the_clis_verdict_in_the_page(
    installed, server, tmp_path
):
    """The seeded credential with its own inclusion proof (GET /api/v1/log/proof) is VALID; with
    the proof of another credential, or none while the log is required, NOT_LOGGED; the page and
    `opcert verify --offline --log-proof` agree on each."""
    import httpx

    url, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    other = sc1_of_photo(installed, seeded.revoked_qr)
    proofs = {
        text: httpx.get(url + "/api/v1/log/proof", params={"cti": cti_of(text)}).text
        for text in (sc1, other)
    }
    fingerprint = exported_bundle(url, tmp_path)
    offline(installed)
    verdicts = []
    for proof in (proofs[sc1], proofs[other], None):
        page = installed.evaluate(
            "([text, proof]) => window.opcertOffline.verifyHere(text, proof).then((r) => r.verdict)",
            [sc1, proof],
        )
        expect(installed.get_by_test_id("offline-verdict")).to_have_attribute("data-verdict", page)
        assert page == cli_verdict(sc1, tmp_path, fingerprint, proof)
        verdicts.append(page)
    assert verdicts == ["VALID", "NOT_LOGGED", "NOT_LOGGED"]
    expect(installed.get_by_test_id("offline-verdict")).to_contain_text("未登记")


def test_back_in_signal_the_page_fetches_its_lists_again(installed):
    offline(installed)
    with installed.expect_request("**/.well-known/opcert/trust-list"):
        installed.context.set_offline(False)
    expect(installed.locator("#offline-note")).to_have_text("")


def test_the_english_page_gives_the_offline_verdict_in_english(installed, server):
    _, seeded = server
    sc1 = sc1_of_photo(installed, seeded.valid_qr)
    installed.goto("/verify?lang=en")
    expect(installed.locator("#offline")).to_have_attribute("data-loaded", "yes")
    installed.context.set_offline(True)
    installed.locator("#f-payload").fill(tampered(sc1))
    installed.get_by_role("button", name="Verify", exact=True).click()
    verdict = installed.get_by_test_id("offline-verdict")
    expect(verdict).to_have_attribute("data-verdict", "BAD_SIGNATURE")
    expect(verdict).to_contain_text("Bad signature")
    expect(installed.locator("#offline-result")).to_contain_text("unverified")


CHECKPOINT_RUN = """async ([notes, logX, rootX, logIssuer]) => {
  const v = await import("/static/web/offline/verifier.js");
  const jwk = (x) => ({ kty: "OKP", crv: "Ed25519", x });
  const trust = { keys: new Map([["log", { issuer: logIssuer, alg: "EdDSA", jwk: jwk(logX) }]]),
                  root: { alg: "EdDSA", jwk: jwk(rootX) } };
  const out = [];
  for (const note of notes) { const c = await v.openCheckpoint(note, trust); out.push(c && c.size); }
  return out;
}"""


def signed_note(body: str, key: Ed25519PrivateKey, name: str) -> str:
    """A C2SP signed note (Ed25519 key hash: SHA-256(name, LF, 0x01, key)[:4])."""
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    key_hash = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    signature = base64.b64encode(key_hash + key.sign(body.encode())).decode()
    return f"{body}\n\u2014 {name} {signature}\n"


def cli_size(note: str, keys: list[Any]) -> int | None:
    """The tree size of the checkpoint as the CLI opens it (opcert.credential.tlog), or None."""
    try:
        return open_checkpoint(note, keys).size
    except TlogError:
        return None


def _x(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_the_page_keeps_a_log_checkpoint_only_when_a_log_or_root_key_signed_it(installed):
    log, root = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    stranger = Ed25519PrivateKey.generate()
    origin = "example.org/.well-known/opcert/log"
    body = f"{origin}\n42\n" + "A" * 43 + "=\n"
    notes = [
        signed_note(body, log, origin),
        signed_note(body, root, origin),
        # C2SP tlog-checkpoint, as the CLI: the log signs under its origin, not another name.
        signed_note(body, root, "opcert-root"),
        signed_note(body, log, origin).replace("\n42\n", "\n43\n"),  # size changed after signing
        signed_note(body, stranger, origin),
    ]
    sizes = installed.evaluate(CHECKPOINT_RUN, [notes, _x(log), _x(root), "CN-LOG"])
    assert sizes == [42, 42, None, None, None]
    assert sizes == [cli_size(note, [log.public_key(), root.public_key()]) for note in notes]
    # A key of another issuer in the trust list does not sign the log.
    assert installed.evaluate(CHECKPOINT_RUN, [notes[:1], _x(log), _x(root), "CN-440400"]) == [None]
