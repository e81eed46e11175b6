"""The SC1 claims of a certificate have one builder, ``minting.claims_for``, and follow the spec."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from opcert.domain.credential_claims import claim_errors
from opcert.services.issuance.minting import ClaimFacts, claims_for

SRC = Path(__file__).resolve().parents[3] / "src"
CLAIM_KEYS = {"typ", "no", "nam", "sex", "cat", "itm", "itn", "fst", "vfr", "vto", "rvd", "aut"}
# The credential package defines the claims (its encoder and decoder) and the published test
# vectors; it issues nothing. Everything else that signs must go through claims_for.
FORMAT_PACKAGE = SRC / "opcert" / "credential"

SO = ClaimFacts(
    typ="SO",
    number="T440402199005170031",
    name="张三",
    sex=1,
    category_code="1",
    item_code="1.2",
    item_name="低压电工作业",
    first_issued_on=date(2020, 3, 2),
    valid_from=date(2020, 3, 2),
    valid_to=date(2026, 3, 2),
    review_due=date(2023, 3, 2),
    reviewed_on=None,
    authority="珠海市应急管理局",
    rule_set="ORDER30",
)
SLOT = ("CN-440400-0001", 7)


def _claim_builders() -> list[str]:
    """Every place in src/ that spells out four or more claim keys, as ``path:line``."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if FORMAT_PACKAGE in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                keys = {k.arg for k in node.keywords if k.arg}
                named = isinstance(node.func, ast.Name) and node.func.id == "CertificateClaims"
            elif isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}  # type: ignore[misc]
                named = False
            else:
                continue
            if named or len(keys & CLAIM_KEYS) >= 4:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_a_search_of_src_for_the_claim_keys_finds_one_builder() -> None:
    [builder] = _claim_builders()
    assert builder.startswith("opcert/services/issuance/minting.py:")


def test_an_order_30_review_still_owed_is_carried_and_the_claims_keep_the_rules() -> None:
    claims = claims_for(SO, SLOT).to_cbor_map()
    assert (claims["rvd"], claims["cat"], claims["itm"], claims["st"]) == (
        "2023-03-02",
        "1",
        "1.2",
        list(SLOT),
    )
    assert claim_errors(claims) == []


def test_a_review_falling_due_after_mem_order_19_took_effect_is_not_carried() -> None:
    later = SO._replace(
        first_issued_on=date(2025, 3, 3),
        valid_from=date(2025, 3, 3),
        valid_to=date(2031, 3, 3),
        review_due=date(2028, 3, 3),
    )
    claims = claims_for(later, SLOT).to_cbor_map()
    assert "rvd" not in claims
    assert claim_errors(claims) == []


def test_a_passed_review_is_carried_as_rvo_beside_the_next_due_date() -> None:
    reviewed = SO._replace(review_due=date(2026, 3, 2), reviewed_on=date(2023, 2, 20))
    claims = claims_for(reviewed, SLOT).to_cbor_map()
    assert (claims["rvd"], claims["rvo"]) == ("2026-03-02", "2023-02-20")


def test_a_safety_manager_certificate_has_no_category_item_code_or_review() -> None:
    sm = SO._replace(
        typ="SM",
        number="A440402199005170031",
        category_code="1",  # whatever the row says, SM claims carry none of these
        item_code="SM1",
        item_name="主要负责人（煤矿）",
        first_issued_on=date(2026, 11, 20),
        valid_from=date(2026, 11, 20),
        valid_to=date(2029, 11, 20),
        review_due=date(2026, 1, 1),
        rule_set="MEM19",
    )
    claims = claims_for(sm, SLOT).to_cbor_map()
    assert not {"cat", "itm", "rvd"} & set(claims)
    assert claim_errors(claims) == []
