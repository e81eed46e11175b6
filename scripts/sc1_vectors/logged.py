"""Cases of the transparency log (spec section 8, step 6): NOT_LOGGED and its VALID counterparts.

The vectors' log is a Merkle tree (RFC 6962 hashing) of seven credentials' COSE_Sign1 bytes; its
checkpoint is a C2SP signed note of origin `LOG_ORIGIN`, signed by the TEST root (the pinned
root may sign the log). Each case asks the verifier to require the log and hands it the
checkpoint it holds and a C2SP tlog-proof, or none. The NOT_LOGGED credentials are signed by
the issuer's genuine active key, as a stolen key would sign them: only the log tells them apart.
"""

from __future__ import annotations

from dataclasses import replace

from opcert.credential.tlog import Checkpoint, Proof, leaf_data_of, sign_checkpoint
from opcert.credential.tlog_merkle import MemoryTree, inclusion_proof, leaf_hash
from scripts.sc1_vectors.cases import CaseBundle, Kit, VectorCase
from scripts.sc1_vectors.keys import FORGER, ROOT, VectorKey

LOG_ORIGIN = "vectors.opcert.invalid/.well-known/opcert/log"


class VectorLog:
    """A log of the given SC1 strings, in order, with its checkpoint signed by `key`."""

    def __init__(self, credentials: list[str], key: VectorKey = ROOT) -> None:
        self.tree = MemoryTree([leaf_hash(leaf_data_of(sc1)) for sc1 in credentials])
        checkpoint = Checkpoint(LOG_ORIGIN, self.tree.size, self.tree.root())
        self.checkpoint = sign_checkpoint(checkpoint, key.signer())

    def proof(self, index: int, *, flip_first_hash: bool = False) -> str:
        """The tlog-proof of leaf `index` (optionally with its first hash's last byte changed)."""
        hashes = inclusion_proof(index, self.tree.size, self.tree.subtree)
        if flip_first_hash:
            hashes[0] = hashes[0][:-1] + bytes((hashes[0][-1] ^ 0x01,))
        return Proof(index, tuple(hashes), self.checkpoint).text()


def log_cases(kit: Kit) -> list[VectorCase]:
    """Two credentials in the log (VALID), four not shown to be (NOT_LOGGED)."""
    filler = [kit.signed(kit.payload(f"log-filler-{n}")) for n in range(4)]
    logged = kit.case("valid-logged", "", "VALID")
    last = kit.case("valid-logged-last-leaf", "", "VALID")
    altered = kit.case("not-logged-proof-altered", "", "NOT_LOGGED")
    leaves = [filler[0], filler[1], logged.sc1, filler[2], altered.sc1, filler[3], last.sc1]
    log = VectorLog(leaves)
    stolen = [kit.case(f"not-logged-{name}", "", "NOT_LOGGED") for name in _STOLEN]
    forged = VectorLog([filler[0], stolen[2].sc1], FORGER)

    def bundle(proof: str | None) -> CaseBundle:
        return CaseBundle(log={"checkpoint": log.checkpoint, "proof": proof})

    rows = [
        (logged, "in the log at index 2 of 7; the proof and the checkpoint verify", log.proof(2)),
        (last, "in the log at the last index (6 of 7, a tree that is not a power of two)",
         log.proof(6)),
        (altered, "in the log at index 4, but the proof's first hash was changed",
         log.proof(4, flip_first_hash=True)),
        (stolen[0], "signed by the issuer's active key, not in the log; no proof given", None),
        (stolen[1], "signed by the issuer's active key, not in the log; given the proof of "
         "the credential at index 2", log.proof(2)),
        (stolen[2], "signed by the issuer's active key, not in the log; given a proof in a "
         "tree of the attacker's own, whose checkpoint of the same origin the attacker signed",
         forged.proof(1)),
    ]  # fmt: skip
    return [replace(case, description=text, bundle=bundle(proof)) for case, text, proof in rows]


_STOLEN = ("no-proof", "proof-of-another-credential", "forged-checkpoint")
