"""The /verify page as the offline-verifier tests drive it: installed online, then the network
cut; and the page functions that hand the page's verifier one published vector's bundle."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any

import cbor2
from playwright.sync_api import expect

from opcert.credential.base45_codec import b45decode, b45encode
from tests.e2e.conftest import ROOT

VECTORS = ROOT / "docs" / "test-vectors" / "sc1-vectors.json"


def published_vectors() -> dict[str, Any]:
    vectors: dict[str, Any] = json.loads(VECTORS.read_text("utf-8"))
    return vectors


def install(page):  # type: ignore[no-untyped-def]
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
    """The page reads the photo's QR code itself (jsQR, loaded on the photo's choice). The field
    is emptied first: else a second photo's wait would end on the first photo's text."""
    page.locator("#f-payload").fill("")
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


def cti_of(sc1: str) -> str:
    return bytes(cbor2.loads(cose_of(sc1).value[2])[7]).hex()


# The page's verifier handed each case's bundle: its own trust list, root key beside it, status
# lists, remembered revisions and log proof where it has them, else the document's; always
# pinned to the document's root fingerprint.
BUNDLE_JS = """
async function bundleOf(v, vectors, c) {
  let trust;
  try {
    trust = await v.openTrustList(c.trust_list ?? vectors.trust_list, c.root_jwk ?? vectors.root_jwk,
      vectors.root_fingerprint);
  } catch (refusal) {
    trust = refusal;
  }
  const lists = new Map();
  if (!(trust instanceof v.Refusal)) {
    for (const jws of Object.values(c.status_lists ?? vectors.status_lists)) {
      const list = await v.openStatusList(jws, trust);
      if (list) { lists.set(list.listId, list); }
    }
  }
  const seen = {};
  for (const [id, rev] of Object.entries(c.remembered_revisions ?? {})) { seen[id] = { rev }; }
  return { trust, lists, seen, log: c.log ? { proof: c.log.proof } : null };
}
"""


def in_page(body: str) -> str:
    """A page function `async (args) => {...}` whose body may call `bundleOf`."""
    return "async (args) => {" + BUNDLE_JS + body + "}"
