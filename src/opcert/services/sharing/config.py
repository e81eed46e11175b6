"""What data sharing needs of the settings, chosen in ``opcert.bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SharingConfig:
    """``sealing_key`` seals subscribers' HMAC secrets at rest (AES-256-GCM); ``keys_dir`` and
    ``passphrase`` hold the platform's Ed25519 webhook key (``v1a``), which is not an issuer key
    and never enters the trust list. ``allow_private_urls``: loopback and private addresses
    (development, tests, government intranets); link-local and cloud metadata never."""

    sealing_key: bytes
    keys_dir: Path
    passphrase: bytes
    allow_private_urls: bool = True
    timeout_seconds: float = 10.0
