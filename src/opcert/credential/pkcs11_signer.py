"""Signing keys held on a PKCS#11 token: a production HSM, or SoftHSM2 in tests.

The private key never leaves the token. Ed25519 signs with CKM_EDDSA (PKCS#11 3.0, SoftHSM2
from 2.6); ES256 with CKM_ECDSA over a SHA-256 digest made here, which gives the raw `r || s`
that SC1 wants. Keys are generated on the token with the kid (spec section 2, base64url) as
their CKA_LABEL and the kid bytes as CKA_ID, and are named by an RFC 7512 URI such as
`pkcs11:token=opcert;object=7p0K9RTCPXo;type=private`.

One logged-in session per token is opened on first use and shared by its signers under a lock:
PKCS#11 sessions must not run two operations at once.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any
from urllib.parse import quote, unquote

import pkcs11
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.util.ec import encode_named_curve_parameters

from opcert.credential.errors import CredentialError
from opcert.credential.keys import ALG_EDDSA, ALG_ES256, PublicKey, kid_b64, kid_for

URI_SCHEME = "pkcs11:"
ED25519_OID = "1.3.101.112"  # id-Ed25519 (RFC 8410)
P256_OID = "1.2.840.10045.3.1.7"  # secp256r1
_ED25519_POINT_BYTES = 32
_P256_POINT_BYTES = 65
_DER_OCTET_STRING = 0x04
_KEY_GENERATION = {
    ALG_EDDSA: (KeyType.EC_EDWARDS, Mechanism.EC_EDWARDS_KEY_PAIR_GEN, ED25519_OID),
    ALG_ES256: (KeyType.EC, Mechanism.EC_KEY_PAIR_GEN, P256_OID),
}


class HsmError(CredentialError):
    """The token could not be opened, a key was not found on it, or it refused to sign."""


def pkcs11_uri(token_label: str, object_label: str) -> str:
    """The RFC 7512 URI of a private key: `pkcs11:token=...;object=...;type=private`."""
    return f"{URI_SCHEME}token={quote(token_label, safe='')};object={quote(object_label, safe='')};type=private"


def parse_pkcs11_uri(uri: str) -> tuple[str, str]:
    """(token label, object label) of a URI written by `pkcs11_uri`; ValueError otherwise."""
    if not uri.startswith(URI_SCHEME):
        raise ValueError(f"not a pkcs11: URI: {uri!r}")
    attributes = dict(
        part.split("=", 1) for part in uri[len(URI_SCHEME) :].split(";") if "=" in part
    )
    if "token" not in attributes or "object" not in attributes:
        raise ValueError(f"a pkcs11: URI needs token= and object=: {uri!r}")
    return unquote(attributes["token"]), unquote(attributes["object"])


def public_key_from_point(point: bytes) -> PublicKey:
    """The public key in a CKA_EC_POINT: a DER OCTET STRING around the raw point, or the raw
    point itself (tokens differ). 32 bytes are Ed25519, 65 an uncompressed P-256 point."""
    wrapped = len(point) in (_ED25519_POINT_BYTES + 2, _P256_POINT_BYTES + 2)
    if wrapped and point[0] == _DER_OCTET_STRING and point[1] == len(point) - 2:
        point = point[2:]
    if len(point) == _ED25519_POINT_BYTES:
        return Ed25519PublicKey.from_public_bytes(point)
    if len(point) == _P256_POINT_BYTES:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    raise ValueError(f"unsupported CKA_EC_POINT of {len(point)} bytes")


class Pkcs11Signer:
    """A `Signer` whose private key stays on a PKCS#11 token."""

    __slots__ = ("_private", "_public_key", "_token", "alg", "kid", "uri")

    def __init__(self, token: Pkcs11Token, private: Any, alg: int, public_key: PublicKey) -> None:
        self._token = token
        self._private = private
        self._public_key = public_key
        self.alg: int = alg
        self.kid: bytes = kid_for(public_key)
        self.uri: str = pkcs11_uri(token.label, kid_b64(self.kid))

    def __repr__(self) -> str:
        return f"Pkcs11Signer(alg={self.alg}, uri={self.uri!r})"

    def sign(self, data: bytes) -> bytes:
        """An Ed25519 signature, or for ES256 the raw 64-byte `r || s`; HsmError on failure."""
        if self.alg == ALG_EDDSA:
            return self._token.run(lambda: self._private.sign(data, mechanism=Mechanism.EDDSA))
        digest = hashlib.sha256(data).digest()
        return self._token.run(lambda: self._private.sign(digest, mechanism=Mechanism.ECDSA))

    def public_key(self) -> PublicKey:
        return self._public_key


class Pkcs11Token:
    """One PKCS#11 token, opened with the user PIN on first use. Thread-safe.

    `module` is the path of the PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so).
    Nothing is loaded or opened by the constructor.
    """

    def __init__(self, module: str, label: str, pin: str) -> None:
        self.module, self.label = module, label
        self._pin = pin
        self._session: Any = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Pkcs11Token(module={self.module!r}, label={self.label!r})"

    def run(self, operation: Any) -> bytes:
        """Run `operation()` while holding the session; PKCS#11 errors become HsmError."""
        with self._lock:
            self.session()
            try:
                return bytes(operation())
            except pkcs11.PKCS11Error as exc:
                raise HsmError(f"token {self.label!r}: {type(exc).__name__} {exc}") from exc

    def session(self) -> Any:
        """The open, logged-in session; HsmError if the module or token cannot be opened."""
        with self._lock:
            if self._session is None:
                try:
                    self._session = self._open_session()
                except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
                    message = f"cannot open token {self.label!r} with {self.module}: {exc!r}"
                    raise HsmError(message) from exc
            return self._session

    def _open_session(self) -> Any:
        token = pkcs11.lib(self.module).get_token(token_label=self.label)
        try:
            return token.open(user_pin=self._pin, rw=True)
        except pkcs11.UserAlreadyLoggedIn:
            # Login belongs to the process, not the session: another Pkcs11Token on the same
            # token has logged in, and every session of this process shares that login.
            return token.open(rw=True)

    def generate(self, alg: int = ALG_EDDSA) -> Pkcs11Signer:
        """A new key pair on the token, labelled with its kid; ValueError for another alg."""
        if alg not in _KEY_GENERATION:
            raise ValueError(f"unsupported COSE algorithm {alg!r}")
        key_type, mechanism, oid = _KEY_GENERATION[alg]
        with self._lock:
            try:
                public, private = self.session().generate_keypair(
                    key_type,
                    mechanism=mechanism,
                    public_template={Attribute.EC_PARAMS: encode_named_curve_parameters(oid)},
                    private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
                    store=True,
                    label="opcert-new-key",
                )
                signer = Pkcs11Signer(
                    self, private, alg, public_key_from_point(public[Attribute.EC_POINT])
                )
                for key in (public, private):
                    key[Attribute.LABEL] = kid_b64(signer.kid)
                    key[Attribute.ID] = signer.kid
            except pkcs11.PKCS11Error as exc:
                raise HsmError(f"token {self.label!r} could not generate a key: {exc!r}") from exc
        return signer

    def signer(self, uri: str) -> Pkcs11Signer:
        """The signer of the key `uri` names on this token.

        Raises ValueError for a malformed URI, HsmError if it names another token or no key
        pair with that label is on this one.
        """
        token_label, object_label = parse_pkcs11_uri(uri)
        if token_label != self.label:
            raise HsmError(f"{uri} is on token {token_label!r}, not {self.label!r}")
        with self._lock:
            try:
                session = self.session()
                private = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=object_label)
                public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=object_label)
                point = public[Attribute.EC_POINT]
            except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as exc:
                raise HsmError(f"no single key pair {object_label!r} on {self.label!r}") from exc
            except pkcs11.PKCS11Error as exc:
                raise HsmError(f"token {self.label!r}: {exc!r}") from exc
        public_key = public_key_from_point(point)
        alg = ALG_EDDSA if isinstance(public_key, Ed25519PublicKey) else ALG_ES256
        return Pkcs11Signer(self, private, alg, public_key)

    def close(self) -> None:
        """Close the session (logging out); the next use opens a new one."""
        with self._lock:
            if self._session is not None:
                session, self._session = self._session, None
                session.close()
