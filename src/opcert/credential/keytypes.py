"""The key types SC1 signs with: Ed25519 and EC (P-256 in practice)."""

from __future__ import annotations

from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric.ec import (
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PublicKey: TypeAlias = Ed25519PublicKey | EllipticCurvePublicKey
PrivateKey: TypeAlias = Ed25519PrivateKey | EllipticCurvePrivateKey
