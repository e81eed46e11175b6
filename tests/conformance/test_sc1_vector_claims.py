"""Every certificate inside the published SC1 test vectors keeps the domain rules.

Reads docs/test-vectors/sc1-vectors.json as published, not the generator, so a vector edited by
hand is held to the rules too: a valid resident ID number (GB 11643 check digit), `sex` as the
number says, the rule set in force on `vfr` (ORDER30 to 2026-05-31, MEM19 from 2026-06-01), its
validity, no `rvd` under MEM19 (`opcert.domain.credential_claims`). The generator
(`scripts/make_vectors.py`) refuses to write such a vector in the first place.
"""

from __future__ import annotations

import copy
import json
import random
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import base45
import cbor2
import pytest
from bench.verify import make_payload
from scripts.make_vectors import InconsistentVectors, write_vectors
from scripts.sc1_vectors.claims import embedded_claims

from opcert.domain.credential_claims import claim_errors

VECTORS_DIR = Path(__file__).resolve().parents[2] / "docs" / "test-vectors"
PUBLISHED: dict[str, Any] = json.loads((VECTORS_DIR / "sc1-vectors.json").read_text("utf-8"))
CASES: list[dict[str, Any]] = PUBLISHED["cases"]
WELL_FORMED = [case for case in CASES if case["expected_verdict"] != "MALFORMED"]
CERTIFICATE = -65537


def case_id(case: dict[str, Any]) -> str:
    return str(case["id"])


def problems(sc1: str) -> list[str]:
    """`claim: why` for every certificate inside `sc1` that breaks the domain rules."""
    return [
        f"{error.field}: {error.message_en}"
        for claims in embedded_claims(sc1)
        for error in claim_errors(claims.certificate, exp=claims.exp)
    ]


def plain_cwt(sc1: str) -> tuple[list[Any], dict[int, Any]]:
    """The COSE_Sign1 items and the CWT of a well-formed SC1 string, read with plain libraries."""
    cose = cbor2.loads(zlib.decompress(base45.b45decode(sc1[4:])))
    items = list(cose.value if isinstance(cose, cbor2.CBORTag) else cose)
    return items, cbor2.loads(items[2])


def edited(sc1: str, edit: Callable[[dict[str, Any]], None]) -> str:
    """`sc1` with its certificate changed by `edit`, re-packed as a hand editor would (the
    signature no longer matches; the claims check does not care)."""
    items, cwt = plain_cwt(sc1)
    edit(cwt[CERTIFICATE])
    items[2] = cbor2.dumps(cwt)
    packed = zlib.compress(cbor2.dumps(cbor2.CBORTag(18, items)), 9)
    return "SC1:" + base45.b45encode(packed).decode("ascii")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_certificate_in_a_published_vector_keeps_the_domain_rules(
    case: dict[str, Any],
) -> None:
    assert problems(case["sc1"]) == []


@pytest.mark.parametrize("case", WELL_FORMED, ids=case_id)
def test_the_claims_of_every_case_that_is_not_malformed_are_read_and_checked(
    case: dict[str, Any],
) -> None:
    found = embedded_claims(case["sc1"])
    _, cwt = plain_cwt(case["sc1"])
    assert [claims.certificate for claims in found] == [cwt[CERTIFICATE]]


def test_the_vectors_cover_both_rule_sets_both_certificate_types_and_an_x_check_digit() -> None:
    certificates = [plain_cwt(case["sc1"])[1][CERTIFICATE] for case in WELL_FORMED]
    assert {c["rs"] for c in certificates} == {"ORDER30", "MEM19"}
    assert {c["typ"] for c in certificates} == {"SO", "SM"}
    assert any(c["no"].endswith("X") for c in certificates)


def wrong_check_digit(certificate: dict[str, Any]) -> None:
    number = certificate["no"]
    certificate["no"] = number[:-1] + ("1" if number[-1] != "1" else "2")


def review_date_under_mem19(certificate: dict[str, Any]) -> None:
    certificate["rvd"] = "2029-11-20"


def mem19_with_a_2021_start(certificate: dict[str, Any]) -> None:
    certificate.update(fst="2021-02-28", vfr="2021-02-28", vto="2027-02-28", rs="MEM19")


def seven_years_of_validity(certificate: dict[str, Any]) -> None:
    certificate["vto"] = "2033-11-20"


HAND_EDITS = [
    wrong_check_digit,
    review_date_under_mem19,
    mem19_with_a_2021_start,
    seven_years_of_validity,
]


@pytest.mark.parametrize("edit", HAND_EDITS, ids=lambda edit: edit.__name__)
def test_a_hand_edited_vector_that_breaks_the_rules_is_caught(
    edit: Callable[[dict[str, Any]], None],
) -> None:
    valid = next(case for case in CASES if case["id"] == "valid-eddsa")
    assert problems(valid["sc1"]) == []
    assert problems(edited(valid["sc1"], edit)) != []


def test_the_generator_writes_nothing_when_a_vector_breaks_the_rules(tmp_path: Path) -> None:
    document = copy.deepcopy(PUBLISHED)
    case = next(case for case in document["cases"] if case["id"] == "revoked")
    case["sc1"] = edited(case["sc1"], review_date_under_mem19)
    with pytest.raises(InconsistentVectors) as refused:
        write_vectors(tmp_path, document)
    assert refused.value.problems == ["revoked: rvd: claim rvd: MEM19 has no review"]
    assert list(tmp_path.iterdir()) == []


def test_the_generator_writes_the_published_vectors_as_they_are(tmp_path: Path) -> None:
    write_vectors(tmp_path, PUBLISHED)
    assert (tmp_path / "sc1-vectors.json").read_text("utf-8") == (
        VECTORS_DIR / "sc1-vectors.json"
    ).read_text("utf-8")


def test_the_benchmark_verifies_credentials_that_keep_the_domain_rules() -> None:
    rng = random.Random(13)
    for n in (0, 1, 2, 999, 1000, 12_345, 335_999):
        payload = make_payload(n, n % 65536, rng)
        assert claim_errors(payload.certificate.to_cbor_map(), exp=payload.exp) == [], n
