"""Private keys at rest: passphrase-encrypted PKCS#8 PEM in a 0600 file."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from opcert.credential.keytypes import PrivateKey


def private_key_to_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    """Encrypted PKCS#8 PEM (BestAvailableEncryption); ValueError for an empty passphrase."""
    if not passphrase:
        raise ValueError("a private key is never written without a passphrase")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def private_key_from_pem(data: bytes, passphrase: bytes) -> PrivateKey:
    """Load an encrypted PKCS#8 PEM written by `private_key_to_pem`.

    Raises ValueError for a wrong passphrase, damaged data, or a key that is
    neither Ed25519 nor P-256.
    """
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:  # e.g. an unencrypted key given a passphrase
        raise ValueError(str(exc)) from exc
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, EllipticCurvePrivateKey) and isinstance(key.curve, SECP256R1):
        return key
    raise ValueError("only Ed25519 and P-256 private keys are supported")


def write_private_key(path: Path, key: PrivateKey, passphrase: bytes) -> None:
    """Write `key` encrypted to a new file `path` readable by its owner only (0600).

    The PEM is written and fsynced under a temporary name in the same
    directory, created with O_CREAT|O_EXCL and mode 0600, so the key is never
    readable by others, even for a moment; it is then moved into place with
    link+unlink, an atomic rename that never replaces an existing file.
    Raises FileExistsError if `path` exists, ValueError for an empty passphrase.
    """
    pem = private_key_to_pem(key, passphrase)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _fsync_directory(path.parent)


def read_private_key(path: Path, passphrase: bytes) -> PrivateKey:
    """Read a key written by `write_private_key`; ValueError as for `private_key_from_pem`."""
    return private_key_from_pem(Path(path).read_bytes(), passphrase)


def _fsync_directory(directory: Path) -> None:
    # Makes the new directory entry durable; not every platform allows it.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
