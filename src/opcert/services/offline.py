"""The offline verifier: trust list, pinned root key and status lists from files, no network.

This is what an inspector's laptop in a mine runs after ``opcert trust export``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from opcert.credential.errors import CredentialError
from opcert.credential.keys import public_key_from_jwk
from opcert.credential.statuslist import StatusList, parse_status_list
from opcert.credential.trustlist import TrustList, parse_trust_list
from opcert.credential.verifier import VerificationResult, verify


class FileStatuses:
    def __init__(self, directory: Path, trust: TrustList) -> None:
        self.directory, self.trust = directory, trust
        self._cache: dict[str, StatusList | None] = {}

    def get(self, list_id: str) -> StatusList | None:
        if list_id not in self._cache:
            path = self.directory / f"{list_id}.jws"
            try:
                self._cache[list_id] = parse_status_list(
                    path.read_text("ascii").strip(), self.trust
                )
            except (OSError, CredentialError, ValueError):
                self._cache[list_id] = None
        return self._cache[list_id]


class OfflineVerifier:
    def __init__(self, trust: TrustList, statuses: FileStatuses) -> None:
        self.trust, self.statuses = trust, statuses

    @classmethod
    def from_files(cls, trust_file: Path, status_dir: Path, root_key_file: Path) -> OfflineVerifier:
        try:
            root = public_key_from_jwk(json.loads(root_key_file.read_text("utf-8")))
            trust = parse_trust_list(trust_file.read_text("ascii").strip(), root)
        except (OSError, ValueError, CredentialError) as error:
            raise ValueError(f"无法载入信任材料 / cannot load trust material: {error}") from error
        return cls(trust, FileStatuses(status_dir, trust))

    def verify(self, text: str, now: datetime | None = None) -> VerificationResult:
        return verify(
            text, trust_list=self.trust, statuses=self.statuses, now=now or datetime.now(UTC)
        )


MAX_CREDENTIAL_FILE = 64 * 1024 * 1024


def read_credential_from_file(path: Path) -> str:
    """The SC1 string in a text file, a QR image, or the first QR code of a PDF certificate.

    ValueError (Chinese / English) for a file that is none of these, too large, or unreadable as
    an image or a PDF; OSError only when the file itself cannot be read.
    """
    from opcert.credential.qr import read_qr

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


def _images(data: bytes) -> list[Image.Image]:
    if data[:4] == b"%PDF":
        return _pdf_pages(data)
    import io

    image = Image.open(io.BytesIO(data))
    image.load()
    return [image]


def _pdf_pages(data: bytes) -> list[Image.Image]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    return [page.render(scale=150 / 72).to_pil() for page in document]
