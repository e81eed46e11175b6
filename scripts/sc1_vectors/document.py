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
from scripts.sc1_vectors.malformed import malformed_cases


def build_cases(slots: StatusSlots) -> list[VectorCase]:
    """Every case, in a fixed order."""
    kit = Kit(slots)
    groups = (valid_cases, date_cases, status_cases, key_cases)
    cases = [case for group in groups for case in group(kit)]
    return cases + malformed_cases(kit)


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
    return files
