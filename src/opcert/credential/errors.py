"""Errors of the credential layer.

Every error a caller is expected to handle derives from `CredentialError`;
anything else escaping this package is a bug.
"""

from __future__ import annotations

from typing import Literal

Layer = Literal["prefix", "base45", "zlib", "cbor", "cose", "claims"]


class CredentialError(Exception):
    """Base class of every expected failure in `opcert.credential`."""


class MalformedCredential(CredentialError):
    """An SC1 string could not be taken apart.

    `layer` names the envelope layer that failed, outermost first:
    "prefix", "base45", "zlib", "cbor", "cose", "claims". The two messages say
    the same thing for a person, in Chinese and in English.
    """

    def __init__(self, layer: Layer, message_zh: str, message_en: str) -> None:
        super().__init__(layer, message_zh, message_en)
        self.layer: Layer = layer
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.layer}: {self.message_en}"


class JwsError(CredentialError):
    """A compact JWS is not well formed, uses an unexpected alg, or its signature fails."""


class TrustListError(CredentialError):
    """A trust list could not be verified against the pinned root key or is not well formed."""


class StatusListError(CredentialError):
    """A status list is not well formed or is not signed by a key allowed to sign it."""


class CheckpointError(CredentialError):
    """A ledger checkpoint is not well formed or not signed by the root key it names."""
