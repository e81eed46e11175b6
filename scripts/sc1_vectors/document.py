"""Published SC1 test vectors (`docs/test-vectors/`): one case per verdict and per failing layer.

`build_vectors()` returns the whole document that `scripts/make_vectors.py` writes, so that
other implementers can test their verifier against ours. It is pure and deterministic: every
key is TEST ONLY and public (`scripts.sc1_vectors.keys`), signatures are deterministic.
The cases are in `cases` (well formed) and `malformed` (one per failing layer).
"""

from __future__ import annotations

import json
from typing import Any

from opcert.credential.keys import fingerprint, public_jwk
from opcert.credential.trustlist import sign_trust_list
from scripts.sc1_vectors.bundles import root_cases
from scripts.sc1_vectors.bundles import status_cases as freshness_cases
from scripts.sc1_vectors.cases import (
    Kit,
    VectorCase,
    date_cases,
    key_cases,
    status_cases,
    valid_cases,
)
from scripts.sc1_vectors.keys import (
    KEYS,
    ROOT,
    WARNING,
    StatusSlots,
    signed_status_lists,
    trust_list,
)
from scripts.sc1_vectors.logged import log_cases
from scripts.sc1_vectors.malformed import malformed_cases


def build_cases(slots: StatusSlots) -> list[VectorCase]:
    """Every case, in a fixed order."""
    kit = Kit(slots)
    groups = (valid_cases, date_cases, status_cases, key_cases)
    cases = [case for group in groups for case in group(kit)]
    cases += malformed_cases(kit)
    # The verdicts of spec sections 4 to 8, each case with the bundle its verifier is handed.
    return cases + root_cases(kit) + freshness_cases(kit) + log_cases(kit)


def build_vectors() -> dict[str, Any]:
    """The whole published document: keys, root JWK, trust list, status lists and cases."""
    slots = StatusSlots()
    cases = [case.to_json() for case in build_cases(slots)]
    root_public = ROOT.private_key().public_key()
    return {
        "format": "SC1",
        "spec": "shared/spec/credential.md",
        "warning": WARNING,
        "root_jwk": public_jwk(root_public),
        "root_fingerprint": fingerprint(root_public),
        "trust_list": sign_trust_list(trust_list(), ROOT.signer()),
        "status_lists": signed_status_lists(slots),
        "keys": [key.to_json() for key in KEYS],
        "cases": cases,
    }


def vector_files(document: dict[str, Any]) -> dict[str, str]:
    """Relative path -> text of every published file: the document itself, and what an offline
    verifier reads in `opcert trust export`'s layout (trust-list.jws, root-key.jwk,
    status/<list_id>.jws)."""
    files = {
        "sc1-vectors.json": json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        "trust-list.jws": document["trust_list"] + "\n",
        "root-key.jwk": json.dumps(document["root_jwk"]) + "\n",
    }
    for list_id, jws in document["status_lists"].items():
        files[f"status/{list_id}.jws"] = jws + "\n"
    for case in document["cases"]:
        if any(name in case for name in BUNDLE_FIELDS):
            for relative, text in case_files(document, case).items():
                files[f"cases/{case['id']}/{relative}"] = text
    return files


BUNDLE_FIELDS = ("trust_list", "root_jwk", "status_lists", "remembered_revisions", "log")


def case_files(document: dict[str, Any], case: dict[str, Any]) -> dict[str, str]:
    """The bundle an offline verifier reads for `case`, in `opcert trust export`'s layout: the
    case's trust list, root key and status lists where it has its own, else the document's;
    `verifier-state.json` (the remembered revisions, as `opcert verify --state` keeps them);
    `checkpoint.txt` and `log-proof.txt` (for `--require-log` / `--log-proof`)."""
    files = {
        "trust-list.jws": case.get("trust_list", document["trust_list"]) + "\n",
        "root-key.jwk": json.dumps(case.get("root_jwk", document["root_jwk"])) + "\n",
    }
    for list_id, jws in case.get("status_lists", document["status_lists"]).items():
        files[f"status/{list_id}.jws"] = jws + "\n"
    if "remembered_revisions" in case:
        state = {"status_revisions": case["remembered_revisions"]}
        files["verifier-state.json"] = json.dumps(state, sort_keys=True, indent=1) + "\n"
    log = case.get("log")
    if log is not None:
        files["checkpoint.txt"] = log["checkpoint"]
        if log["proof"] is not None:
            files["log-proof.txt"] = log["proof"]
    return files
