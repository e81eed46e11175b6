"""Cases whose verifier is handed another bundle than the document's (spec sections 4 to 6).

- UNTRUSTED_ROOT (step 0): an attacker's own bundle (root key, trust list, status list) whose root
  is not the pinned one; and the national trust list re-signed by the attacker, with the
  genuine root key beside it.
- STATUS_UNKNOWN (step 7): the issuer's list past its `exp`, the list missing, and a list older
  (`rev`) than one the verifier already accepted (rollback), with its VALID counterpart.

Every credential is correctly signed and carries a certificate the platform could issue, so
only the bundle decides the verdict.
"""

from __future__ import annotations

from dataclasses import replace

from opcert.credential.jws import compact_json, sign_compact
from opcert.credential.keys import JOSE_EDDSA, kid_b64, public_jwk
from opcert.credential.trustlist import TRUST_LIST_TYP, TrustList
from scripts.sc1_vectors.cases import CaseBundle, Kit, VectorCase
from scripts.sc1_vectors.keys import (
    FOREIGN_ROOT,
    FORGER,
    ROOT,
    STATUS_LIST_IAT,
    STATUS_LIST_REV,
    STATUS_LIST_SIGNERS,
    VectorKey,
    status_list_jws,
    trust_list,
    trusted_key,
)

LIST = "CN-440400-0001"
DAY = 86400


def _forged_trust_list(header_root: VectorKey) -> str:
    """The national trust list plus the attacker's issuer key, signed by the attacker's root
    under a header that names `header_root`'s kid."""
    genuine = trust_list()
    forged = TrustList(genuine.iss, genuine.iat, genuine.exp, (*genuine.keys, trusted_key(FORGER)))
    header = {"alg": JOSE_EDDSA, "kid": kid_b64(header_root.signer().kid), "typ": TRUST_LIST_TYP}
    return sign_compact(header, compact_json(forged.to_json()), FOREIGN_ROOT.signer())


def root_cases(kit: Kit) -> list[VectorCase]:
    """A trust list not signed by the pinned root gives UNTRUSTED_ROOT for every credential."""
    forged_list = {LIST: status_list_jws(LIST, FORGER, {})}
    own_bundle = CaseBundle(
        trust_list=_forged_trust_list(FOREIGN_ROOT),
        root_jwk=public_jwk(FOREIGN_ROOT.private_key().public_key()),
        status_lists=forged_list,
    )
    resigned = CaseBundle(trust_list=_forged_trust_list(ROOT), status_lists=forged_list)
    return [
        kit.case(
            "untrusted-root-foreign-bundle",
            "an attacker's own bundle: its root key beside its trust list (which lists its "
            "issuer key), its status list; the root is not the pinned one",
            "UNTRUSTED_ROOT",
            FORGER,
            own_bundle,
        ),
        kit.case(
            "untrusted-root-resigned-trust-list",
            "the national trust list with the attacker's key added, re-signed by the attacker "
            "under the national root's kid; the genuine root key lies beside it",
            "UNTRUSTED_ROOT",
            FORGER,
            resigned,
        ),
    ]


def status_cases(kit: Kit) -> list[VectorCase]:
    """The issuer's list expired, missing, or rolled back (STATUS_UNKNOWN), or remembered at
    the same revision (VALID)."""
    expired = kit.case("status-unknown-list-expired", "", "STATUS_UNKNOWN")
    yesterday = status_list_jws(
        LIST,
        STATUS_LIST_SIGNERS[LIST],
        kit.slots.values[LIST],
        iat=STATUS_LIST_IAT - DAY,
        exp=STATUS_LIST_IAT,
        rev=STATUS_LIST_REV - 1,
    )
    return [
        _with(
            expired,
            "the issuer's list is yesterday's: issued 2027-02-27T23:00, exp 2027-02-28T23:00, "
            "13 hours before the clock (list age 37 hours)",
            CaseBundle(status_lists={LIST: yesterday}),
        ),
        kit.case(
            "status-unknown-list-missing",
            "the bundle holds no status list at all (the issuer's list is missing)",
            "STATUS_UNKNOWN",
            bundle=CaseBundle(status_lists={}),
        ),
        kit.case(
            "status-unknown-rolled-back",
            f"the verifier already accepted rev {STATUS_LIST_REV + 1} of the issuer's list; "
            f"the list at hand is rev {STATUS_LIST_REV}: a rollback, refused",
            "STATUS_UNKNOWN",
            bundle=CaseBundle(remembered_revisions={LIST: STATUS_LIST_REV + 1}),
        ),
        kit.case(
            "valid-remembered-revision",
            f"the verifier already accepted rev {STATUS_LIST_REV}, the revision at hand: "
            "the same revision is accepted",
            "VALID",
            bundle=CaseBundle(remembered_revisions={LIST: STATUS_LIST_REV}),
        ),
    ]


def _with(case: VectorCase, description: str, bundle: CaseBundle) -> VectorCase:
    return replace(case, description=description, bundle=bundle)
