"""The transparency log of issuance, as a verifier sees it (spec section 8).

- C2SP signed notes with Ed25519 signature lines (``— <name> base64(key id || signature)``,
  key id ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``);
- C2SP tlog-checkpoint bodies (origin, tree size, base64 root hash, extension lines);
- C2SP tlog-proof texts (``c2sp.org/tlog-proof@v1``, ``index N``, the inclusion path, a blank
  line, the checkpoint);
- ``verify_inclusion``: is this credential (its COSE_Sign1 bytes) in the log a trusted key
  signed a checkpoint of?

Merkle hashing and proofs are in ``tlog_merkle``, tiles in ``tlog_tiles``. Nothing here needs a
database or the network, so the offline verifier can use it as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from opcert.credential.keys import ALG_EDDSA, PublicKey, Signer
from opcert.credential.sc1 import PREFIX, b45decode, inflate, unprefix
from opcert.credential.tlog_merkle import HASH_SIZE, leaf_hash
from opcert.credential.tlog_merkle import verify_inclusion as verify_path

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
SIGNATURE_PREFIX = "\u2014 "
ED25519_TYPE = b"\x01"
MAX_SIGNATURES = 100
MAX_NOTE_BYTES = 1 << 20
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_KEY_NAME = re.compile(r"[^\s+]+")


class TlogError(ValueError):
    """A note, checkpoint or proof that is malformed or not signed by a trusted key."""


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TlogError(f"{what}: not base64") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _raw_ed25519(public_key: PublicKey) -> bytes | None:
    if not isinstance(public_key, Ed25519PublicKey):
        return None
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: PublicKey) -> bytes:
    """The 4-byte key id of an Ed25519 note key; TlogError for another kind of key."""
    raw = _raw_ed25519(public_key)
    if raw is None:
        raise TlogError("note keys are Ed25519")
    return hashlib.sha256(name.encode() + b"\n" + ED25519_TYPE + raw).digest()[:4]


def vkey(name: str, public_key: PublicKey) -> str:
    """The verifier key string ``<name>+<hex key id>+<base64(0x01 || key)>``, for publication."""
    raw = _raw_ed25519(public_key)
    if raw is None:
        raise TlogError("note keys are Ed25519")
    return f"{name}+{key_id(name, public_key).hex()}+{_b64(ED25519_TYPE + raw)}"


# signed notes ------------------------------------------------------------------------------


def sign_note(text: str, name: str, signer: Signer) -> str:
    """``text`` (ending in a newline) as a signed note with one Ed25519 signature line."""
    if signer.alg != ALG_EDDSA:
        raise TlogError("note signatures are Ed25519")
    if not text.endswith("\n") or not _KEY_NAME.fullmatch(name):
        raise TlogError("a note text ends in a newline; a key name has no space or plus")
    signature = signer.sign(text.encode())
    line = f"{SIGNATURE_PREFIX}{name} {_b64(key_id(name, signer.public_key()) + signature)}\n"
    return f"{text}\n{line}"


@dataclass(frozen=True)
class OpenedNote:
    text: str
    signed_by: tuple[str, ...]


def open_note(note: str, trusted: Sequence[PublicKey]) -> OpenedNote:
    """The text of a note signed by at least one of ``trusted`` (the key name is the one on
    the signature line). TlogError if the note is malformed, no trusted key signed it, or a
    signature line that claims a trusted key does not verify."""
    if len(note) > MAX_NOTE_BYTES or any(ord(c) < 0x20 and c != "\n" for c in note):
        raise TlogError("note: too long or holds control characters")
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise TlogError("note: no blank line before the signatures")
    text += "\n"
    lines = signatures[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise TlogError("note: too many signatures")
    signed_by: list[str] = []
    for line in lines:
        name, blob = _signature_line(line)
        for key in trusted:
            raw = _raw_ed25519(key)
            if raw is None or blob[:4] != key_id(name, key):
                continue
            try:
                Ed25519PublicKey.from_public_bytes(raw).verify(blob[4:], text.encode())
            except InvalidSignature:
                raise TlogError(f"note: the signature of {name} does not verify") from None
            signed_by.append(name)
    if not signed_by:
        raise TlogError("note: not signed by a trusted key")
    return OpenedNote(text, tuple(signed_by))


def _signature_line(line: str) -> tuple[str, bytes]:
    if not line.startswith(SIGNATURE_PREFIX):
        raise TlogError("note: a signature line starts with an em dash and a space")
    name, sep, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not sep or not _KEY_NAME.fullmatch(name):
        raise TlogError("note: a signature line names its key")
    blob = _b64decode(encoded, "note signature")
    if len(blob) < 5:
        raise TlogError("note: signature too short")
    return name, blob


# checkpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())

    def text(self) -> str:
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "".join(f"{line}\n" for line in lines)


def parse_checkpoint_text(text: str) -> Checkpoint:
    """A checkpoint body; TlogError unless it has an origin, a decimal size without leading
    zeros, a base64 32-byte root, and only non-empty extension lines."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise TlogError("checkpoint: origin, size and root hash, one a line")
    origin, size, root, *extensions = lines[:-1]
    if not _DECIMAL.fullmatch(size):
        raise TlogError("checkpoint: the tree size is a decimal number")
    digest = _b64decode(root, "checkpoint root")
    if len(digest) != HASH_SIZE:
        raise TlogError("checkpoint: the root hash is 32 bytes")
    return Checkpoint(origin, int(size), digest, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a signed note, the key named by the origin."""
    return sign_note(checkpoint.text(), checkpoint.origin, signer)


def open_checkpoint(
    note: str, trusted: Sequence[PublicKey], origin: str | None = None
) -> Checkpoint:
    """A checkpoint signed by a trusted key under the log's own name (its origin), and of
    ``origin`` when one is given. TlogError otherwise."""
    opened = open_note(note, trusted)
    checkpoint = parse_checkpoint_text(opened.text)
    if checkpoint.origin not in opened.signed_by:
        raise TlogError("checkpoint: not signed under the log's origin")
    if origin is not None and checkpoint.origin != origin:
        raise TlogError(f"checkpoint: origin {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint


# proofs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines += [_b64(h) for h in self.hashes]
        return "".join(f"{line}\n" for line in lines) + "\n" + self.checkpoint


def parse_proof(text: str) -> Proof:
    """A C2SP tlog-proof; TlogError if it is not one (the checkpoint is not checked here)."""
    head, sep, checkpoint = text.partition("\n\n")
    if not sep or len(text) > MAX_NOTE_BYTES:
        raise TlogError("proof: no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != PROOF_HEADER:
        raise TlogError(f"proof: the first line is {PROOF_HEADER}")
    extra = None
    at = 1
    if len(lines) > at and lines[at].startswith("extra "):
        extra = _b64decode(lines[at][len("extra ") :], "proof extra")
        at += 1
    if len(lines) <= at or not lines[at].startswith("index "):
        raise TlogError("proof: no index line")
    index = lines[at][len("index ") :]
    if not _DECIMAL.fullmatch(index):
        raise TlogError("proof: the index is a decimal number")
    hashes = tuple(_b64decode(line, "proof hash") for line in lines[at + 1 :])
    if any(len(h) != HASH_SIZE for h in hashes) or len(hashes) > 64:
        raise TlogError("proof: every hash is 32 bytes, at most 64 of them")
    return Proof(int(index), hashes, checkpoint, extra)


def verify_inclusion(
    leaf_data: bytes,
    proof: Proof,
    checkpoint_note: str | None,
    trusted_keys: Sequence[PublicKey],
    origin: str | None = None,
) -> bool:
    """True iff ``leaf_data`` (a credential's COSE_Sign1 bytes) is at ``proof.index`` in the
    tree of a checkpoint signed by one of ``trusted_keys``: ``checkpoint_note`` when given (a
    checkpoint the verifier holds; it must be the proof's tree), else the proof's own."""
    try:
        note = proof.checkpoint if checkpoint_note is None else checkpoint_note
        checkpoint = open_checkpoint(note, trusted_keys, origin)
    except TlogError:
        return False
    return verify_path(
        leaf_hash(leaf_data), proof.index, checkpoint.size, proof.hashes, checkpoint.root
    )


def leaf_data_of(sc1: str) -> bytes:
    """The log's leaf data for an SC1 string: its COSE_Sign1 bytes (spec section 8).
    Raises MalformedCredential if the string does not unwrap."""
    return inflate(b45decode(unprefix(sc1.strip(" \t\r\n"), PREFIX)))
