"""The pinned root (spec section 4): the fingerprint's form, and a trust list trusted only when
signed by a root whose fingerprint is pinned."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.credential.freshness import RevisionFile
from opcert.credential.keys import SoftwareSigner, spki_der
from opcert.credential.pinning import (
    UntrustedRoot,
    grouped,
    parse_fingerprint,
    pinned_trust_list,
    root_fingerprint,
)
from opcert.credential.trustlist import sign_trust_list

from .builders import make_signer, make_status_list, make_trust_list, make_trusted_key


def test_the_fingerprint_is_lowercase_hex_sha256_of_the_spki_der(root: SoftwareSigner) -> None:
    expected = hashlib.sha256(spki_der(root.public_key())).hexdigest()
    assert root_fingerprint(root.public_key()) == expected
    assert expected == expected.lower() and len(expected) == 64


def test_a_fingerprint_may_be_typed_grouped_or_with_colons(root: SoftwareSigner) -> None:
    spec_form = root_fingerprint(root.public_key())
    assert parse_fingerprint(grouped(spec_form)) == spec_form
    colons = ":".join(spec_form[i : i + 2] for i in range(0, 64, 2)).upper()
    assert parse_fingerprint(colons) == spec_form


@given(st.text(max_size=80))
def test_anything_but_64_hex_digits_is_refused_as_a_fingerprint(text: str) -> None:
    cleaned = "".join(ch for ch in text.strip() if ch not in " :").lower()
    if len(cleaned) == 64 and set(cleaned) <= set("0123456789abcdef"):
        assert parse_fingerprint(text) == cleaned
    else:
        with pytest.raises(ValueError):
            parse_fingerprint(text)


def test_a_trust_list_signed_by_the_pinned_root_is_trusted(
    root: SoftwareSigner, signer: SoftwareSigner
) -> None:
    jws = sign_trust_list(make_trust_list(make_trusted_key(signer)), root)
    pin = root_fingerprint(root.public_key())
    trust, used = pinned_trust_list(jws, root.public_key(), {pin})
    assert used == pin and trust.find(signer.kid) is not None


def test_the_attackers_own_root_is_untrusted_however_well_it_signs(
    root: SoftwareSigner, signer: SoftwareSigner
) -> None:
    attacker = make_signer()
    jws = sign_trust_list(make_trust_list(make_trusted_key(make_signer())), attacker)
    with pytest.raises(UntrustedRoot) as refused:
        pinned_trust_list(jws, attacker.public_key(), {root_fingerprint(root.public_key())})
    assert refused.value.fingerprint == root_fingerprint(attacker.public_key())
    with pytest.raises(UntrustedRoot):
        pinned_trust_list(jws, attacker.public_key(), set())


def test_a_trust_list_re_signed_by_another_key_is_untrusted_beside_the_genuine_root(
    root: SoftwareSigner, signer: SoftwareSigner
) -> None:
    forged = sign_trust_list(make_trust_list(make_trusted_key(make_signer())), make_signer())
    with pytest.raises(UntrustedRoot):
        pinned_trust_list(forged, root.public_key(), {root_fingerprint(root.public_key())})


def test_no_root_key_at_all_is_untrusted(root: SoftwareSigner) -> None:
    jws = sign_trust_list(make_trust_list(), root)
    with pytest.raises(UntrustedRoot):
        pinned_trust_list(jws, None, {root_fingerprint(root.public_key())})


def test_the_revision_memory_survives_a_new_process_and_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "verifier-state.json"
    memory = RevisionFile.load(path)
    memory.accept(make_status_list(rev=7))
    memory.save()
    assert RevisionFile.load(path).highest("CN-440400-0001") == 7
    assert json.loads(path.read_text())["status_revisions"] == {"CN-440400-0001": 7}
    assert [p.name for p in path.parent.iterdir()] == ["verifier-state.json"]


@pytest.mark.parametrize("content", ["", "{", "[]", '{"status_revisions": {"a": -1}}', "\xff"])
def test_a_damaged_revision_memory_is_refused_rather_than_forgotten(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "verifier-state.json"
    path.write_text(content, encoding="latin-1")
    with pytest.raises(ValueError, match="damaged"):
        RevisionFile.load(path)
