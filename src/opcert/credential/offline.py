"""The offline verifier: trust list, pinned root and status lists from files, no network.

This is what an inspector's laptop in a mine runs after ``opcert trust export``. It imports the
credential package and the standard library only (images and PDFs load their readers when a
file needs them), so that ``opcert verify --offline`` starts fast.

The trust list is trusted only when signed by a pinned root (spec section 4): a root key file
named by the user is pinned by that act; a ``root-key.jwk`` lying beside the trust list is only a
candidate, used when its fingerprint is pinned (``--root-fingerprint``, built in), never by
itself. Otherwise every input answers ``UNTRUSTED_ROOT``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from opcert.credential.errors import CredentialError
from opcert.credential.freshness import RevisionMemory
from opcert.credential.keys import PublicKey, public_key_from_jwk
from opcert.credential.pinning import (
    BUILT_IN_ROOT_FINGERPRINTS,
    UntrustedRoot,
    pinned_trust_list,
    root_fingerprint,
)
from opcert.credential.statuslist import StatusList, parse_status_list
from opcert.credential.tlog import Proof, TlogError, parse_proof, verify_inclusion
from opcert.credential.trustlist import TrustList
from opcert.credential.verifier import VerificationResult, untrusted_root, verify

LOG_ISSUER = "CN-LOG"  # a trust-list key of this issuer may sign the log's checkpoints

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

ROOT_KEY_BESIDE = "root-key.jwk"
MAX_TRUST_FILE = 16 * 1024 * 1024


class FileStatuses:
    """Status lists from ``DIR/<list_id>.jws``, verified against the trust list; None for a list
    that is missing or does not verify (the verdict is then STATUS_UNKNOWN)."""

    def __init__(self, directory: Path, trust: TrustList) -> None:
        self.directory, self.trust = directory, trust
        self._cache: dict[str, StatusList | None] = {}

    def get(self, list_id: str) -> StatusList | None:
        if list_id not in self._cache:
            path = self.directory / f"{list_id}.jws"
            try:
                if "/" in list_id or "\\" in list_id or list_id.startswith("."):
                    raise ValueError("a list id is a file name, not a path")
                self._cache[list_id] = parse_status_list(
                    path.read_text("ascii").strip(), self.trust
                )
            except (OSError, CredentialError, ValueError):
                self._cache[list_id] = None
        return self._cache[list_id]


def read_root_key(path: Path) -> PublicKey:
    """A root public key from a JWK file; ValueError (one line, Chinese / English) otherwise."""
    try:
        return public_key_from_jwk(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"无法读取根公钥 / cannot read the root key {path}: {error}") from None


@dataclass
class OfflineVerifier:
    """A trust list verified against a pinned root (or the reason it is not: `problem`)."""

    trust: TrustList | None
    statuses: FileStatuses | None
    problem: UntrustedRoot | None = None
    fingerprint: str | None = None
    revisions: RevisionMemory | None = None
    logged: Callable[[bytes], bool] | None = None
    log_keys: tuple[PublicKey, ...] = ()

    @classmethod
    def from_files(
        cls,
        trust_file: Path,
        status_dir: Path,
        *,
        pins: Collection[str] = (),
        root_key_file: Path | None = None,
        revisions: RevisionMemory | None = None,
    ) -> OfflineVerifier:
        """Load the trust list and pick its root: `root_key_file` (trusted because the user
        named it) or a ``root-key.jwk`` beside the trust list (trusted only if pinned).

        ValueError, one line, when the trust list or the named root key cannot be read; a
        trust list that is not signed by a pinned root is not an error but a `problem`.
        """
        try:
            if trust_file.stat().st_size > MAX_TRUST_FILE:
                raise ValueError("file too large")
            jws = trust_file.read_text("ascii").strip()
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or error
            raise ValueError(
                f"无法读取信任列表 / cannot read the trust list {trust_file}: {reason}"
            ) from None
        trusted = set(pins) | BUILT_IN_ROOT_FINGERPRINTS
        if root_key_file is not None:
            explicit = read_root_key(root_key_file)
            trusted.add(root_fingerprint(explicit))
            root: PublicKey | None = explicit
        else:
            root = _candidate_beside(trust_file)
        try:
            trust, fingerprint = pinned_trust_list(jws, root, trusted)
        except UntrustedRoot as problem:
            return cls(None, None, problem, problem.fingerprint, revisions)
        # Who may sign the log's checkpoints (spec section 8): the pinned root, or a trust-list
        # key whose issuer is CN-LOG.
        if root is None:  # pinned_trust_list returns only for a pinned root
            raise ValueError(f"信任列表没有可用的根公钥 / no root key for {trust_file}")
        log_keys = (root, *(k.public_key for k in trust.keys if k.issuer == LOG_ISSUER))
        return cls(
            trust, FileStatuses(status_dir, trust), None, fingerprint, revisions, None, log_keys
        )

    def require_log(self, proof_text: str | None) -> None:
        """From now on a credential verifies only if it is in the transparency log (step 6):
        ``proof_text`` (a C2SP tlog-proof, as ``GET /api/v1/log/proof`` gives it) must prove
        the credential's COSE_Sign1 bytes are in the tree of a checkpoint signed by the pinned
        root or a CN-LOG key; without a proof, or with one that does not prove it, NOT_LOGGED."""
        proof: Proof | None = None
        if proof_text is not None:
            try:
                proof = parse_proof(proof_text)
            except TlogError:
                proof = None
        keys = self.log_keys

        def logged(cose: bytes) -> bool:
            return proof is not None and verify_inclusion(cose, proof, None, keys)

        self.logged = logged

    def verify(self, text: str, now: datetime | None = None) -> VerificationResult:
        at = now or datetime.now(UTC)
        if self.trust is None or self.statuses is None:
            problem = self.problem or UntrustedRoot(
                "信任列表不可信", "the trust list is not trusted"
            )
            return untrusted_root(problem.message_zh, problem.message_en, at)
        return verify(
            text,
            trust_list=self.trust,
            statuses=self.statuses,
            now=at,
            revisions=self.revisions,
            logged=self.logged,
        )


def _candidate_beside(trust_file: Path) -> PublicKey | None:
    """The root key lying beside the trust list, as a candidate only (see the module doc)."""
    try:
        return read_root_key(trust_file.parent / ROOT_KEY_BESIDE)
    except ValueError:
        return None


MAX_CREDENTIAL_FILE = 64 * 1024 * 1024


def read_credential_from_file(path: Path) -> str:
    """The SC1 string in a text file, a QR image, or the first QR code of a PDF certificate.

    ValueError (Chinese / English) for a file that is none of these, too large, or unreadable as
    an image or a PDF; OSError only when the file itself cannot be read.
    """
    if path.stat().st_size > MAX_CREDENTIAL_FILE:
        raise ValueError(f"文件过大 / file too large (over {MAX_CREDENTIAL_FILE} bytes): {path}")
    data = path.read_bytes()
    if data.lstrip()[:4].upper() == b"SC1:":
        try:
            return data.decode("ascii").strip()
        except UnicodeDecodeError:
            raise ValueError(
                f"SC1 文本含非 ASCII 字符 / the SC1 text is not ASCII: {path}"
            ) from None
    from PIL import Image

    from opcert.credential.qr import read_qr

    try:
        images = _images(data)
    except (OSError, RuntimeError, Image.DecompressionBombError, ValueError) as error:
        # PIL's UnidentifiedImageError is an OSError, pdfium's errors RuntimeErrors.
        raise ValueError(
            f"文件不是 SC1 文本、二维码图片或 PDF / not an SC1 text, QR image or PDF: {path} "
            f"({type(error).__name__})"
        ) from None
    for image in images:
        for text in read_qr(image):
            if text.startswith("SC1:"):
                return text
    raise ValueError(f"文件中没有找到 SC1 二维码 / no SC1 QR code found in {path}")


def _images(data: bytes) -> list[PilImage]:
    if data[:4] == b"%PDF":
        return _pdf_pages(data)
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return [image]


def _pdf_pages(data: bytes) -> list[PilImage]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    return [page.render(scale=150 / 72).to_pil() for page in document]
