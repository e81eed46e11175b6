"""The published SC1 vectors (docs/test-vectors/) through the page's offline verifier, network
cut: every case with its own bundle (a foreign root, an expired, missing or rolled-back list, a log
proof), compared with the file's expected verdict and with opcert's verifier (the code of `opcert
verify --offline`); every credential under every bundle; and hypothesis over altered credentials
and altered log proofs: no input crashes the page, and the page agrees with Python on each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Page

from opcert.credential.keys import public_key_from_jwk
from opcert.credential.statuslist import parse_status_list
from opcert.credential.trustlist import parse_trust_list
from opcert.credential.verifier import StaticStatusSource, verify
from tests.conformance.vector_runner import BUNDLE_FIELDS, our_verdict
from tests.e2e.offline_page import in_page, install, offline, published_vectors

pytestmark = pytest.mark.e2e


@pytest.fixture
def installed(page: Page, server: Any) -> Page:
    return install(page)


def python_verdicts(vectors: dict[str, Any]) -> dict[str, str]:
    """opcert's verifier on every case, handed the case's bundle (as `opcert verify --offline`
    is, tests/conformance/test_sc1_vectors.py)."""
    return {case["id"]: our_verdict(vectors, case) for case in vectors["cases"]}


BROWSER_RUN = in_page(
    """
  const [vectors, library] = args;
  const v = await import("/static/web/offline/verifier.js");
  if (library) { v.preferLibraryEd25519(); }
  const out = {};
  for (const c of vectors.cases) {
    const now = Math.floor(Date.parse(c.validation_clock) / 1000);
    out[c.id] = (await v.verifyCredential(c.sc1, { ...(await bundleOf(v, vectors, c)), now })).verdict;
  }
  return [out, v.ed25519Backend()];
"""
)


@pytest.mark.parametrize("library", [False, True], ids=["webcrypto", "vendored-noble"])
def test_with_the_network_cut_the_page_agrees_with_the_python_verifier_on_every_vector(
    installed, library
):
    vectors = published_vectors()
    offline(installed)
    browser, backend = installed.evaluate(BROWSER_RUN, [vectors, library])
    assert backend == ("noble-ed25519" if library else "WebCrypto")
    expected = {case["id"]: case["expected_verdict"] for case in vectors["cases"]}
    assert len(expected) >= 56
    assert {"UNTRUSTED_ROOT", "STATUS_UNKNOWN", "NOT_LOGGED"} <= set(expected.values())
    assert browser == expected
    assert browser == python_verdicts(vectors)


# Every published credential under every published bundle: 13 bundles x 56 credentials.
BROWSER_CROSS = in_page(
    """
  const [vectors, bundles] = args;
  const v = await import("/static/web/offline/verifier.js");
  const out = [];
  for (const b of bundles) {
    const bundle = await bundleOf(v, vectors, b);
    for (const c of vectors.cases) {
      const now = Math.floor(Date.parse(c.validation_clock) / 1000);
      out.push((await v.verifyCredential(c.sc1, { ...bundle, now })).verdict);
    }
  }
  return out;
"""
)


def without_bundle(case: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in case.items() if name not in fields}


def test_every_vector_under_every_published_bundle_gets_the_python_verdict_in_the_page(installed):
    """No vector crashes the page's verifier under any bundle of the file (a foreign root, an
    expired, missing or rolled-back list, a log proof of another credential...), and each
    verdict is the one opcert's verifier gives with the same bundle."""
    vectors = published_vectors()
    fields = BUNDLE_FIELDS
    bundles = [{}] + [
        {name: case[name] for name in fields if name in case}
        for case in vectors["cases"]
        if any(name in case for name in fields)
    ]
    offline(installed)
    browser = installed.evaluate(BROWSER_CROSS, [vectors, bundles])
    python = [
        our_verdict(vectors, {**without_bundle(case, fields), **bundle})
        for bundle in bundles
        for case in vectors["cases"]
    ]
    assert len(browser) == len(bundles) * len(vectors["cases"]) >= 13 * 56
    assert "MALFORMED" not in [b for b, p in zip(browser, python, strict=True) if p != "MALFORMED"]
    assert browser == python


BROWSER_PROOFS = in_page(
    """
  const [vectors, c, proofs] = args;
  const v = await import("/static/web/offline/verifier.js");
  const bundle = await bundleOf(v, vectors, c);
  const now = Math.floor(Date.parse(c.validation_clock) / 1000);
  const out = [];
  for (const proof of proofs) {
    out.push((await v.verifyCredential(c.sc1, { ...bundle, now, log: { proof } })).verdict);
  }
  return out;
"""
)
PROOF_ALPHABET = "0123456789abcdefxyzABCDEF+/= \n\u2014.-"


def _mutated_proof(draw, proofs: list[str]) -> str:  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    base = draw(st.sampled_from(proofs))
    kind = draw(st.sampled_from(["replace", "delete", "insert", "cut", "lines"]))
    at = draw(st.integers(0, len(base) - 1))
    if kind == "lines":  # two lines swapped (a hash and the index, the checkpoint's lines...)
        lines = base.split("\n")
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if kind == "cut":
        return base[:at]
    char = draw(st.sampled_from(PROOF_ALPHABET))
    if kind == "replace":
        return base[:at] + char + base[at + 1 :]
    if kind == "delete":
        return base[:at] + base[at + 1 :]
    return base[:at] + char + base[at:]


def test_no_altered_log_proof_crashes_the_page_and_it_agrees_with_the_cli_log_check(installed):
    """Hypothesis over the page's tlog-proof, signed-note and Merkle-path code: published proofs
    altered (a character, a cut, two lines swapped) and given with a logged credential. Every
    one gets the verdict opcert's own log check (`opcert verify --log-proof`) gives."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    vectors = published_vectors()
    cases = {case["id"]: case for case in vectors["cases"]}
    logged = cases["valid-logged"]
    proofs = [c["log"]["proof"] for c in vectors["cases"] if c.get("log", {}).get("proof")]
    offline(installed)

    # No shrinking: each example is a page round trip, and the assertion names every proof on
    # which the two disagree.
    @settings(
        max_examples=8,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.composite(_mutated_proof)(proofs), min_size=25, max_size=25))
    def run(altered: list[str]) -> None:
        browser = installed.evaluate(BROWSER_PROOFS, [vectors, logged, altered])
        log = logged["log"]
        python = [our_verdict(vectors, {**logged, "log": {**log, "proof": p}}) for p in altered]
        assert browser == python, [
            (p[:80], b, q) for p, b, q in zip(altered, browser, python, strict=True) if b != q
        ]

    run()


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


def _mutated(draw) -> tuple[bool, str]:  # type: ignore[no-untyped-def]
    """An altered vector or arbitrary text, and whether it may never verify VALID: arbitrary
    text and alterations of VALID vectors may not. An alteration of another vector may: the
    vectors of tampering are genuine credentials with one thing changed (``HC1:`` for ``SC1:``,
    one Base45 character, the zlib checksum), and changing it back gives the genuine credential;
    a vector whose status list is out of date in its own bundle is VALID against this test's
    fresh lists. (Hypothesis found the first kind in CI; a brute force over every single
    character altered, inserted or deleted found 3,352 such strings, of both kinds, and none
    from a VALID vector.)"""
    from hypothesis import strategies as st

    vectors = published_vectors()
    case = draw(st.sampled_from(vectors["cases"]))
    base, from_valid = case["sc1"], case["expected_verdict"] == "VALID"
    kind = draw(st.sampled_from(["replace", "delete", "insert", "cut", "text"]))
    if kind == "text":
        return True, str(draw(st.text(max_size=300)))
    at = draw(st.integers(0, len(base) - 1))
    alphabet = st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:#\n\x00é")
    if kind == "replace":
        return from_valid, base[:at] + draw(alphabet) + base[at + 1 :]
    if kind == "delete":
        return from_valid, base[:at] + base[at + 1 :]
    if kind == "insert":
        return from_valid, base[:at] + draw(alphabet) + base[at:]
    return from_valid, base[:at]


def test_no_input_crashes_the_page_verifier_and_it_agrees_with_python_on_mutated_vectors(
    installed,
):
    """Hypothesis over the page verifier: altered vector strings and arbitrary text. Every one
    gets a verdict, the same as the Python verifier's, and a string that is not a published
    valid one never verifies VALID."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    vectors = published_vectors()
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
    def run(drawn: list[tuple[bool, str]]) -> None:
        inputs = [text for _, text in drawn]
        browser = installed.evaluate(BROWSER_BATCH, [vectors, inputs, int(now.timestamp())])
        python = [str(verify(t, trust_list=trust, statuses=lists, now=now).verdict) for t in inputs]
        assert browser == python, [
            (t[:60], b, p) for t, b, p in zip(inputs, browser, python, strict=True) if b != p
        ]
        assert all(
            b != "VALID" or t.strip() in valid
            for (never_valid, t), b in zip(drawn, browser, strict=True)
            if never_valid
        )

    run()
