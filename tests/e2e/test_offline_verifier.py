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
import re
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import expect

from opcert.credential.base45_codec import b45decode, b45encode
from opcert.credential.keys import public_key_from_jwk
from opcert.credential.statuslist import parse_status_list
from opcert.credential.trustlist import parse_trust_list
from opcert.credential.verifier import StaticStatusSource, verify
from tests.e2e.conftest import ROOT, screenshot

pytestmark = pytest.mark.e2e
VECTORS = ROOT / "docs" / "test-vectors" / "sc1-vectors.json"


@pytest.fixture
def installed(page, server):  # type: ignore[no-untyped-def]
    """/verify opened online until its service worker controls it and its lists are kept."""
    page.goto("/verify")
    panel = page.locator("#offline")
    expect(panel).to_have_attribute("data-loaded", "yes")
    expect(panel).to_have_attribute("data-ready", "yes")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker's control, which keeps the page as it passes
    expect(panel).to_have_attribute("data-loaded", "yes")
    return page


def offline(page) -> None:  # type: ignore[no-untyped-def]
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#offline")).to_have_attribute("data-loaded", "yes")


def sc1_of_photo(page, photo: Path) -> str:  # type: ignore[no-untyped-def]
    """The page reads the photo's QR code itself (jsQR, loaded on the photo's choice)."""
    page.get_by_label("照片", exact=True).set_input_files(str(photo))
    expect(page.locator("#f-payload")).to_have_value(re.compile(r"^SC1:"))
    return page.locator("#f-payload").input_value()


def verify_in_page(page, text: str) -> Any:  # type: ignore[no-untyped-def]
    page.locator("#f-payload").fill(text)
    page.get_by_role("button", name="核验", exact=True).click()
    verdict = page.get_by_test_id("offline-verdict")
    expect(verdict).to_be_visible()
    return verdict


def cose_of(sc1: str) -> Any:
    return cbor2.loads(zlib.decompress(b45decode(sc1[4:])))


def sc1_from(cose: Any) -> str:
    return "SC1:" + b45encode(zlib.compress(cbor2.dumps(cose), 9))


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


def python_verdicts(vectors: dict[str, Any]) -> dict[str, str]:
    trust = parse_trust_list(vectors["trust_list"], public_key_from_jwk(vectors["root_jwk"]))
    lists = [parse_status_list(jws, trust) for jws in vectors["status_lists"].values()]
    out = {}
    for case in vectors["cases"]:
        now = datetime.fromisoformat(case["validation_clock"])
        result = verify(case["sc1"], trust_list=trust, statuses=StaticStatusSource(lists), now=now)
        out[case["id"]] = str(result.verdict)
    return out


BROWSER_RUN = """async ([vectors, library]) => {
  const v = await import("/static/web/offline/verifier.js");
  if (library) { v.preferLibraryEd25519(); }
  const trust = await v.openTrustList(vectors.trust_list, vectors.root_jwk, vectors.root_fingerprint);
  const lists = new Map();
  for (const jws of Object.values(vectors.status_lists)) {
    const list = await v.openStatusList(jws, trust);
    if (list) { lists.set(list.listId, list); }
  }
  const out = {};
  for (const c of vectors.cases) {
    const now = Math.floor(Date.parse(c.validation_clock) / 1000);
    out[c.id] = (await v.verifyCredential(c.sc1, { trust, lists, seen: {}, now })).verdict;
  }
  return [out, v.ed25519Backend()];
}"""


@pytest.mark.parametrize("library", [False, True], ids=["webcrypto", "vendored-noble"])
def test_with_the_network_cut_the_page_agrees_with_the_python_verifier_on_every_vector(
    installed, library
):
    vectors = json.loads(VECTORS.read_text("utf-8"))
    offline(installed)
    browser, backend = installed.evaluate(BROWSER_RUN, [vectors, library])
    assert backend == ("noble-ed25519" if library else "WebCrypto")
    expected = {case["id"]: case["expected_verdict"] for case in vectors["cases"]}
    assert len(expected) >= 44
    assert browser == expected
    assert browser == python_verdicts(vectors)


BROWSER_BATCH = """async ([vectors, inputs, now]) => {
  const v = await import("/static/web/offline/verifier.js");
  const trust = await v.openTrustList(vectors.trust_list, vectors.root_jwk, vectors.root_fingerprint);
  const lists = new Map();
  for (const jws of Object.values(vectors.status_lists)) {
    const list = await v.openStatusList(jws, trust);
    if (list) { lists.set(list.listId, list); }
  }
  const out = [];
  for (const text of inputs) {
    out.push((await v.verifyCredential(text, { trust, lists, seen: {}, now })).verdict);
  }
  return out;
}"""


def _mutated(draw) -> str:  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    vectors = json.loads(VECTORS.read_text("utf-8"))
    base = draw(st.sampled_from([c["sc1"] for c in vectors["cases"]]))
    kind = draw(st.sampled_from(["replace", "delete", "insert", "cut", "text"]))
    if kind == "text":
        return str(draw(st.text(max_size=300)))
    at = draw(st.integers(0, len(base) - 1))
    alphabet = st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:#\n\x00é")
    if kind == "replace":
        return base[:at] + draw(alphabet) + base[at + 1 :]
    if kind == "delete":
        return base[:at] + base[at + 1 :]
    if kind == "insert":
        return base[:at] + draw(alphabet) + base[at:]
    return base[:at]


def test_no_input_crashes_the_page_verifier_and_it_agrees_with_python_on_mutated_vectors(
    installed,
):
    """Hypothesis over the page verifier: altered vector strings and arbitrary text. Every one
    gets a verdict, the same as the Python verifier's, and a string that is not a published
    valid one never verifies VALID."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    vectors = json.loads(VECTORS.read_text("utf-8"))
    trust = parse_trust_list(vectors["trust_list"], public_key_from_jwk(vectors["root_jwk"]))
    lists = StaticStatusSource(
        parse_status_list(j, trust) for j in vectors["status_lists"].values()
    )
    clock = "2027-03-01T12:00:00+08:00"
    now = datetime.fromisoformat(clock)
    valid = {c["sc1"] for c in vectors["cases"] if c["expected_verdict"] == "VALID"}
    offline(installed)

    @settings(
        max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(st.composite(_mutated)(), min_size=40, max_size=40))
    def run(inputs: list[str]) -> None:
        browser = installed.evaluate(BROWSER_BATCH, [vectors, inputs, int(now.timestamp())])
        python = [str(verify(t, trust_list=trust, statuses=lists, now=now).verdict) for t in inputs]
        assert browser == python, [
            (t[:60], b, p) for t, b, p in zip(inputs, browser, python, strict=True) if b != p
        ]
        assert all(b != "VALID" or t.strip() in valid for t, b in zip(inputs, browser, strict=True))

    run()


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


def _x(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_the_page_keeps_a_log_checkpoint_only_when_a_log_or_root_key_signed_it(installed):
    log, root = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    stranger = Ed25519PrivateKey.generate()
    body = "example.org/.well-known/opcert/log\n42\n" + "A" * 43 + "=\n"
    notes = [
        signed_note(body, log, "example.org/.well-known/opcert/log"),
        signed_note(body, root, "opcert-root"),
        signed_note(body, log, "x").replace("\n42\n", "\n43\n"),  # size changed after signing
        signed_note(body, stranger, "example.org/.well-known/opcert/log"),
    ]
    sizes = installed.evaluate(CHECKPOINT_RUN, [notes, _x(log), _x(root), "CN-LOG"])
    assert sizes == [42, 42, None, None]
    # A key of another issuer in the trust list does not sign the log.
    assert installed.evaluate(CHECKPOINT_RUN, [notes[:1], _x(log), _x(root), "CN-440400"]) == [None]
