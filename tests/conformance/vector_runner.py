"""One published SC1 vector as each verifier is handed it: the document's bundle, or the case's
own (`trust_list`, `root_jwk` beside it, `status_lists`, `remembered_revisions`, `log`), always
pinned to the document's `root_fingerprint` (docs/test-vectors/README.md).

Shared by the conformance tests (opcert's verifier, the independent one, the `opcert verify
--offline` process) and the browser test (tests/e2e/test_offline_verifier.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from opcert.credential.freshness import RevisionsInMemory
from opcert.credential.keys import PublicKey, public_key_from_jwk
from opcert.credential.offline import LOG_ISSUER, OfflineVerifier
from opcert.credential.pinning import UntrustedRoot, parse_fingerprint, pinned_trust_list
from opcert.credential.statuslist import parse_status_list
from opcert.credential.trustlist import TrustList
from opcert.credential.verifier import (
    StaticStatusSource,
    VerificationResult,
    untrusted_root,
    verify,
)
from tests.independent import spec_verifier

VECTORS_DIR = Path(__file__).resolve().parents[2] / "docs" / "test-vectors"
BUNDLE_FIELDS = ("trust_list", "root_jwk", "status_lists", "remembered_revisions", "log")


def load_published() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS_DIR / "sc1-vectors.json").read_text("utf-8"))
    return document


def pin(document: dict[str, Any]) -> str:
    """The fingerprint every case is verified under (lowercase hex)."""
    return parse_fingerprint(document["root_fingerprint"])


def clock(case: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(case["validation_clock"])


def trust_jws(document: dict[str, Any], case: dict[str, Any]) -> str:
    return str(case.get("trust_list", document["trust_list"]))


def root_jwk(document: dict[str, Any], case: dict[str, Any]) -> dict[str, str]:
    jwk: dict[str, str] = case.get("root_jwk", document["root_jwk"])
    return jwk


def status_jws(document: dict[str, Any], case: dict[str, Any]) -> dict[str, str]:
    lists: dict[str, str] = case.get("status_lists", document["status_lists"])
    return lists


def log_check(
    case: dict[str, Any], root: PublicKey, trust: TrustList
) -> Callable[[bytes], bool] | None:
    """Step 6 as `opcert verify --log-proof` does it, or None when the case asks for no log."""
    log = case.get("log")
    if log is None:
        return None
    keys = (root, *(key.public_key for key in trust.keys if key.issuer == LOG_ISSUER))
    verifier = OfflineVerifier(trust, None, log_keys=keys)
    verifier.require_log(log["proof"])  # the CLI's own step 6 (`--log-proof`, `--require-log`)
    return verifier.logged


def our_result(document: dict[str, Any], case: dict[str, Any]) -> VerificationResult:
    """opcert's verifier (the library, no files) on one case."""
    now = clock(case)
    root = public_key_from_jwk(root_jwk(document, case))
    try:
        trust, _ = pinned_trust_list(trust_jws(document, case), root, {pin(document)})
    except UntrustedRoot as problem:
        return untrusted_root(problem.message_zh, problem.message_en, now)
    lists = [parse_status_list(jws, trust) for jws in status_jws(document, case).values()]
    return verify(
        case["sc1"],
        trust_list=trust,
        statuses=StaticStatusSource(lists),
        now=now,
        revisions=RevisionsInMemory(case.get("remembered_revisions")),
        logged=log_check(case, root, trust),
    )


def our_verdict(document: dict[str, Any], case: dict[str, Any]) -> str:
    return str(our_result(document, case).verdict)


def independent_verdict(document: dict[str, Any], case: dict[str, Any]) -> str:
    """tests/independent/spec_verifier.py (written from the spec alone) on one case; it is
    handed step 6 as a callable, opcert's log check (the browser's is the independent one)."""
    try:
        keys = spec_verifier.trust_list(
            trust_jws(document, case), root_jwk(document, case), pin(document)
        )
    except ValueError as refusal:
        return str(refusal)
    root = public_key_from_jwk(root_jwk(document, case))
    trust = pinned_trust_list(trust_jws(document, case), root, {pin(document)})[0]
    accepted = dict(case.get("remembered_revisions", {}))
    return spec_verifier.verify(
        case["sc1"],
        keys,
        status_jws(document, case),
        clock(case),
        accepted,
        log_check(case, root, trust),
    )[0]


def case_directory(case: dict[str, Any]) -> Path:
    """Where the published bundle of `case` lies: its own (cases/<id>/) or the document's."""
    if any(name in case for name in BUNDLE_FIELDS):
        return VECTORS_DIR / "cases" / case["id"]
    return VECTORS_DIR


def cli_arguments(document: dict[str, Any], case: dict[str, Any], scratch: Path) -> list[str]:
    """`opcert verify --offline ...` for `case`, reading the published files; the verifier's
    state file is a copy in `scratch` (the CLI writes it)."""
    bundle = case_directory(case)
    state = scratch / "verifier-state.json"
    if (bundle / "verifier-state.json").exists():
        shutil.copyfile(bundle / "verifier-state.json", state)
    arguments = [
        "verify",
        "--offline",
        "--json",
        "--trust-list",
        str(bundle / "trust-list.jws"),
        "--status-dir",
        str(bundle / "status"),
        "--root-fingerprint",
        document["root_fingerprint"],
        "--state",
        str(state),
    ]
    if "log" in case:
        proof = bundle / "log-proof.txt"
        arguments += ["--log-proof", str(proof)] if proof.exists() else ["--require-log"]
    return [*arguments, "--", case["sc1"]]
