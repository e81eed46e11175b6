"""An offline bundle from files: the root beside the trust list is a candidate, never trusted by
itself; the forged-bundle attack gives UNTRUSTED_ROOT; the state file refuses a rollback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opcert.credential import offline
from opcert.credential.freshness import RevisionFile
from opcert.credential.keys import SoftwareSigner, public_jwk
from opcert.credential.offline import OfflineVerifier
from opcert.credential.pinning import root_fingerprint
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import sign_status_list
from opcert.credential.trustlist import sign_trust_list
from opcert.credential.verifier import Verdict
from tests.unit.credential.builders import (
    NOW,
    make_payload,
    make_signer,
    make_status_list,
    make_trust_list,
    make_trusted_key,
)


def bundle(directory: Path, root: SoftwareSigner, issuer: SoftwareSigner, **list_fields) -> Path:
    """trust-list.jws, root-key.jwk and status/CN-440400-0001.jws signed as given."""
    (directory / "status").mkdir(parents=True)
    trust = make_trust_list(make_trusted_key(issuer))
    (directory / "trust-list.jws").write_text(sign_trust_list(trust, root))
    (directory / "root-key.jwk").write_text(json.dumps(public_jwk(root.public_key())))
    status = sign_status_list(make_status_list(**list_fields), issuer)
    (directory / "status" / "CN-440400-0001.jws").write_text(status)
    return directory / "trust-list.jws"


def load(trust_file: Path, **options) -> OfflineVerifier:
    return OfflineVerifier.from_files(trust_file, trust_file.parent / "status", **options)


@pytest.fixture
def genuine(tmp_path: Path) -> tuple[Path, SoftwareSigner, SoftwareSigner]:
    root, issuer = make_signer(), make_signer()
    return bundle(tmp_path / "genuine", root, issuer), root, issuer


def test_the_genuine_bundle_is_valid_only_once_its_root_is_pinned(genuine) -> None:
    trust_file, root, issuer = genuine
    text = encode(make_payload(), issuer)
    assert load(trust_file).verify(text, NOW).verdict is Verdict.UNTRUSTED_ROOT
    pinned = load(trust_file, pins={root_fingerprint(root.public_key())})
    assert pinned.verify(text, NOW).verdict is Verdict.VALID
    assert pinned.fingerprint == root_fingerprint(root.public_key())


def test_the_forged_bundle_attack_gives_untrusted_root(tmp_path: Path, genuine) -> None:
    _, root, _ = genuine
    attacker_root, attacker_issuer = make_signer(), make_signer()
    forged = bundle(tmp_path / "forged", attacker_root, attacker_issuer)
    text = encode(make_payload(nam="冒名者", vto="2099-12-31"), attacker_issuer)
    for pins in (set(), {root_fingerprint(root.public_key())}):
        result = load(forged, pins=pins).verify(text, NOW)
        assert result.verdict is Verdict.UNTRUSTED_ROOT
        assert result.payload is None


def test_a_trust_list_re_signed_beside_the_genuine_root_key_gives_untrusted_root(genuine) -> None:
    trust_file, root, issuer = genuine
    stolen_name = make_signer()  # the attacker adds his key and signs the list himself
    relisted = make_trust_list(make_trusted_key(issuer), make_trusted_key(stolen_name))
    trust_file.write_text(sign_trust_list(relisted, make_signer()))
    pinned = load(trust_file, pins={root_fingerprint(root.public_key())})
    assert pinned.verify(encode(make_payload(), stolen_name), NOW).verdict is (
        Verdict.UNTRUSTED_ROOT
    )


def test_a_root_key_named_by_the_user_is_trusted_and_its_fingerprint_reported(
    tmp_path: Path, genuine
) -> None:
    trust_file, root, issuer = genuine
    elsewhere = tmp_path / "published-root.jwk"
    elsewhere.write_text(json.dumps(public_jwk(root.public_key())))
    (trust_file.parent / "root-key.jwk").unlink()
    verifier = load(trust_file, root_key_file=elsewhere)
    assert verifier.verify(encode(make_payload(), issuer), NOW).verdict is Verdict.VALID
    assert verifier.fingerprint == root_fingerprint(root.public_key())


def test_a_built_in_root_is_trusted_without_being_told(
    genuine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust_file, root, issuer = genuine
    built_in = frozenset({root_fingerprint(root.public_key())})
    monkeypatch.setattr(offline, "BUILT_IN_ROOT_FINGERPRINTS", built_in)
    assert load(trust_file).verify(encode(make_payload(), issuer), NOW).verdict is Verdict.VALID


def test_a_status_list_rolled_back_on_disk_is_refused_by_the_remembered_revision(
    tmp_path: Path, genuine
) -> None:
    trust_file, root, issuer = genuine
    pins = {root_fingerprint(root.public_key())}
    state = tmp_path / "state.json"
    text = encode(make_payload(), issuer)
    status_file = trust_file.parent / "status" / "CN-440400-0001.jws"
    status_file.write_text(sign_status_list(make_status_list({12345: 1}, rev=8), issuer))
    first = load(trust_file, pins=pins, revisions=RevisionFile.load(state))
    assert first.verify(text, NOW).verdict is Verdict.REVOKED
    assert first.revisions is not None
    first.revisions.save()  # type: ignore[attr-defined]
    status_file.write_text(sign_status_list(make_status_list(rev=7), issuer))
    later = load(trust_file, pins=pins, revisions=RevisionFile.load(state))
    assert later.verify(text, NOW).verdict is Verdict.STATUS_UNKNOWN


def test_a_missing_trust_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the trust list"):
        load(tmp_path / "nowhere" / "trust-list.jws")
