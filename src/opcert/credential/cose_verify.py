"""COSE_Sign1 verification the EU DCC way, for the conformance tests against its vectors.

SC1 verification does not use this module: it takes alg and kid from the
protected header only and knows two algorithms. A DCC verifier differs in
three ways, all reproduced here so the public DCC vectors can test our
envelope layers: kid and alg may sit in the unprotected header when the
protected one lacks them; the kid is the first 8 bytes of SHA-256 over the
signer's DER X.509 certificate; and RSA-PSS (PS256) and ECDSA on curves
other than P-256 occur.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from opcert.credential.cose import (
    HEADER_ALG,
    HEADER_KID,
    CoseSign1,
    parse_cose_sign1,
    sig_structure,
)
from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import is_p256, verify_signature

ALG_EDDSA = -8
ALG_ES256 = -7
ALG_ES384 = -35
ALG_ES512 = -36
ALG_PS256 = -37
_ECDSA_HASHES: Mapping[int, type[hashes.HashAlgorithm]] = {
    ALG_ES256: hashes.SHA256,
    ALG_ES384: hashes.SHA384,
    ALG_ES512: hashes.SHA512,
}


def certificate_kid(certificate_der: bytes) -> bytes:
    """The DCC key id: the first 8 bytes of SHA-256 over the DER certificate."""
    return hashlib.sha256(certificate_der).digest()[:8]


def header_parameter(envelope: CoseSign1, label: int) -> object:
    """A header parameter, from the protected header if there, else the unprotected one."""
    if label in envelope.protected_header:
        return envelope.protected_header[label]
    return envelope.unprotected_header.get(label)


def verify_cose_with_certificate(cose: bytes, certificate_der: bytes) -> bool:
    """True if `cose` is a COSE_Sign1 whose kid names this certificate and whose
    signature verifies with its public key. Never raises for bad input."""
    try:
        envelope = parse_cose_sign1(cose, allow_cwt_tag=True)
        certificate = x509.load_der_x509_certificate(certificate_der)
    except (MalformedCredential, ValueError):
        return False
    if header_parameter(envelope, HEADER_KID) != certificate_kid(certificate_der):
        return False
    alg = header_parameter(envelope, HEADER_ALG)
    signed = sig_structure(envelope.protected, envelope.payload)
    return type(alg) is int and verify_cose_signature(
        certificate.public_key(), alg, signed, envelope.signature
    )


def verify_cose_signature(public_key: object, alg: int, data: bytes, signature: bytes) -> bool:
    """Verify a COSE signature (RFC 9053 / RFC 8230 formats); False on any mismatch.

    EdDSA and ES256 on P-256 go through `keys.verify_signature`, the code
    SC1 verification uses, so the DCC vectors test it. ECDSA on other curves
    takes raw `r || s` sized to the curve and the alg's hash whatever the
    curve (RFC 9053 allows it); PS256 uses a salt as long as the hash.
    """
    if (alg == ALG_EDDSA and isinstance(public_key, Ed25519PublicKey)) or (
        alg == ALG_ES256 and is_p256(public_key)
    ):
        return verify_signature(public_key, alg, data, signature)
    try:
        if alg in _ECDSA_HASHES and isinstance(public_key, ec.EllipticCurvePublicKey):
            size = (public_key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            algorithm = ec.ECDSA(_ECDSA_HASHES[alg]())
            public_key.verify(encode_dss_signature(r, s), data, algorithm)
            return True
        if alg == ALG_PS256 and isinstance(public_key, rsa.RSAPublicKey):
            pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
            public_key.verify(signature, data, pss, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False
