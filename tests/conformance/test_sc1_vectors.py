"""The published SC1 test vectors (docs/test-vectors/) hold for our verifier, for one written
from the spec alone and for the `opcert verify --offline` command, each handed the case's
bundle; and regenerating them gives the same files, byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scripts.sc1_vectors.document import build_vectors, vector_files

from opcert.credential.errors import MalformedCredential
from opcert.credential.sc1 import decode
from opcert.interfaces.cli.entry import fast_verify_options
from opcert.interfaces.cli.verify_run import run
from tests.conformance.vector_runner import (
    BUNDLE_FIELDS,
    VECTORS_DIR,
    cli_arguments,
    independent_verdict,
    load_published,
    our_result,
    our_verdict,
    status_jws,
)

PUBLISHED: dict[str, Any] = load_published()
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
    "UNTRUSTED_ROOT",
    "STATUS_UNKNOWN",
    "NOT_LOGGED",
}
STATUS_STEP = {"VALID", "REVOKED", "SUPERSEDED", "SUSPENDED", "STATUS_UNKNOWN"}
LAYERS = {"prefix", "base45", "zlib", "cbor", "cose", "claims"}
OPCERT = Path(sys.executable).with_name("opcert")


def case_id(case: dict[str, Any]) -> str:
    return str(case["id"])


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
        reaches_status = case["expected_verdict"] in STATUS_STEP
        assert (case["status_list"] is not None) is reaches_status, case["id"]
        handed = status_jws(PUBLISHED, case)
        # Only the case about a missing list names a list its verifier is not handed.
        missing = case["id"] == "status-unknown-list-missing"
        assert (reaches_status and case["status_list"] not in handed) is missing, case["id"]


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
    assert regenerated == PUBLISHED
    for case in regenerated["cases"]:
        assert our_verdict(regenerated, case) == case["expected_verdict"], case["id"]
        assert independent_verdict(regenerated, case) == case["expected_verdict"], case["id"]


def published_tree() -> dict[str, bytes]:
    return {
        str(path.relative_to(VECTORS_DIR)): path.read_bytes()
        for path in sorted(VECTORS_DIR.rglob("*"))
        if path.is_file() and path.name != "README.md"
    }


def test_the_generator_run_twice_writes_the_published_files_byte_for_byte(tmp_path: Path) -> None:
    for run_number in ("first", "second"):
        directory = tmp_path / run_number
        subprocess.run(
            [sys.executable, "scripts/make_vectors.py", str(directory)],
            cwd=VECTORS_DIR.parents[1],
            check=True,
            capture_output=True,
        )
        written = {
            str(path.relative_to(directory)): path.read_bytes()
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }
        assert written == published_tree(), run_number


OWN_BUNDLE = [case for case in CASES if any(name in case for name in BUNDLE_FIELDS)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_opcert_verify_offline_gives_each_published_case_its_expected_verdict(
    case: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command's own code (argument parsing and `verify_run.run`) on the published files,
    in this process; the clock is the development fake, as a user would set it."""
    monkeypatch.setenv("OPCERT_FAKE_NOW", case["validation_clock"])
    options = fast_verify_options(cli_arguments(PUBLISHED, case, tmp_path)[1:])
    assert options is not None
    code = run(options)
    answer = json.loads(capsys.readouterr().out)
    assert answer["verdict"] == case["expected_verdict"]
    assert (code == 0) is (case["expected_verdict"] == "VALID")
    assert answer["root_trusted"] is (case["expected_verdict"] != "UNTRUSTED_ROOT")


@pytest.mark.parametrize("case", OWN_BUNDLE, ids=case_id)
def test_the_opcert_process_gives_each_case_with_its_own_bundle_its_expected_verdict(
    case: dict[str, Any], tmp_path: Path
) -> None:
    environment = {**os.environ, "OPCERT_FAKE_NOW": case["validation_clock"]}
    done = subprocess.run(
        [str(OPCERT), *cli_arguments(PUBLISHED, case, tmp_path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert json.loads(done.stdout)["verdict"] == case["expected_verdict"], done.stderr
    assert (done.returncode == 0) is (case["expected_verdict"] == "VALID")


def test_a_stale_or_rolled_back_list_is_reported_with_its_age_and_reason() -> None:
    cases = {case["id"]: case for case in CASES}
    expired = our_result(PUBLISHED, cases["status-unknown-list-expired"])
    assert expired.status_age_seconds == 37 * 3600
    assert "past its exp" in expired.check("status").message_en
    rolled_back = our_result(PUBLISHED, cases["status-unknown-rolled-back"])
    assert "older (rev)" in rolled_back.check("status").message_en
    missing = our_result(PUBLISHED, cases["status-unknown-list-missing"])
    assert missing.check("status").code == "STATUS_UNKNOWN"


def test_the_shipped_package_holds_no_test_vector_key() -> None:
    """The generator and its public TEST ONLY keys live in scripts/, not in src/opcert: no file
    of the package holds a key's seed or private half."""
    secrets = [key["seed"] for key in PUBLISHED["keys"]]
    secrets += [key["private_jwk"]["d"] for key in PUBLISHED["keys"]]
    secrets.append("TEST ONLY - never trust this key")
    package = VECTORS_DIR.parents[1] / "src" / "opcert"
    for path in package.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".js", ".json", ".html", ".txt"}:
            text = path.read_text("utf-8", errors="replace")
            assert not [secret for secret in secrets if secret in text], path
