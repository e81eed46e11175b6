"""The published SC1 test vectors (docs/test-vectors/) hold for our verifier and for one
written from the spec alone, and regenerating them changes no verdict."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scripts.sc1_vectors.document import build_vectors, vector_files

from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import public_key_from_jwk
from opcert.credential.sc1 import decode
from opcert.credential.statuslist import parse_status_list
from opcert.credential.trustlist import parse_trust_list
from opcert.credential.verifier import StaticStatusSource, verify
from tests.independent import spec_verifier

VECTORS_DIR = Path(__file__).resolve().parents[2] / "docs" / "test-vectors"
PUBLISHED: dict[str, Any] = json.loads((VECTORS_DIR / "sc1-vectors.json").read_text("utf-8"))
CASES: list[dict[str, Any]] = PUBLISHED["cases"]
MALFORMED = [case for case in CASES if case["expected_verdict"] == "MALFORMED"]
REQUIRED_VERDICTS = {
    "VALID",
    "EXPIRED",
    "NOT_YET_VALID",
    "REVOKED",
    "SUPERSEDED",
    "SUSPENDED",
    "UNKNOWN_KEY",
    "BAD_SIGNATURE",
    "KEY_REVOKED",
    "MALFORMED",
}
LAYERS = {"prefix", "base45", "zlib", "cbor", "cose", "claims"}


def case_id(case: dict[str, Any]) -> str:
    return str(case["id"])


def our_verdict(document: dict[str, Any], case: dict[str, Any]) -> str:
    trust = parse_trust_list(document["trust_list"], public_key_from_jwk(document["root_jwk"]))
    lists = [parse_status_list(jws, trust) for jws in document["status_lists"].values()]
    now = datetime.fromisoformat(case["validation_clock"])
    result = verify(case["sc1"], trust_list=trust, statuses=StaticStatusSource(lists), now=now)
    return str(result.verdict)


def independent_verdict(document: dict[str, Any], case: dict[str, Any]) -> str:
    keys = spec_verifier.trust_list(document["trust_list"], document["root_jwk"])
    now = datetime.fromisoformat(case["validation_clock"])
    return spec_verifier.verify(case["sc1"], keys, document["status_lists"], now)[0]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_our_verifier_gives_each_published_case_its_expected_verdict(
    case: dict[str, Any],
) -> None:
    assert our_verdict(PUBLISHED, case) == case["expected_verdict"]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_independent_verifier_gives_each_published_case_its_expected_verdict(
    case: dict[str, Any],
) -> None:
    assert independent_verdict(PUBLISHED, case) == case["expected_verdict"]


@pytest.mark.parametrize("case", MALFORMED, ids=case_id)
def test_each_malformed_case_fails_at_the_layer_it_names(case: dict[str, Any]) -> None:
    assert malformed_layer(case["sc1"]) == case["malformed_layer"]


def malformed_layer(text: str) -> str | None:
    """The layer `decode` names, raising or (a CWT without the SC1 shape) setting aside."""
    try:
        problem = decode(text).payload_problem
    except MalformedCredential as error:
        return error.layer
    return problem.layer if problem else None


def test_the_vectors_cover_every_verdict_every_layer_es256_and_untagged_cose() -> None:
    assert {case["expected_verdict"] for case in CASES} >= REQUIRED_VERDICTS
    assert {case["malformed_layer"] for case in MALFORMED} == LAYERS
    ids = {case["id"] for case in CASES}
    assert {"valid-es256", "valid-untagged-cose"} <= ids
    assert len(ids) == len(CASES)


def test_a_case_names_its_status_list_when_the_verdict_depends_on_it() -> None:
    for case in CASES:
        reaches_status = case["expected_verdict"] in {"VALID", "REVOKED", "SUPERSEDED", "SUSPENDED"}
        assert (case["status_list"] in PUBLISHED["status_lists"]) is reaches_status, case["id"]


def test_every_published_private_key_is_marked_test_only() -> None:
    assert "TEST ONLY" in PUBLISHED["warning"]
    for key in PUBLISHED["keys"]:
        assert key["test_only"] is True
        assert "TEST ONLY" in key["seed"]


def test_the_published_files_are_those_of_the_published_document() -> None:
    for relative, text in vector_files(PUBLISHED).items():
        assert (VECTORS_DIR / relative).read_text("utf-8") == text, relative


def test_regenerating_the_vectors_gives_the_same_cases_with_the_same_verdicts() -> None:
    regenerated = build_vectors()
    fields = ("id", "expected_verdict", "validation_clock", "status_list", "malformed_layer")
    assert [tuple(case[f] for f in fields) for case in regenerated["cases"]] == [
        tuple(case[f] for f in fields) for case in CASES
    ]
    for case in regenerated["cases"]:
        assert our_verdict(regenerated, case) == case["expected_verdict"], case["id"]
        assert independent_verdict(regenerated, case) == case["expected_verdict"], case["id"]
