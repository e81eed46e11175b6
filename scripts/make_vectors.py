"""Write the published SC1 test vectors to docs/test-vectors/ (or to the directory given).

    .venv/bin/python scripts/make_vectors.py [DIRECTORY]

Deterministic: running it again writes the same files. The keys are TEST ONLY (see the README
written beside them).
"""

from __future__ import annotations

import sys
from pathlib import Path

from opcert.credential.vectors import build_vectors, vector_files

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "docs" / "test-vectors"


def write_vectors(directory: Path) -> list[Path]:
    """Write every vector file under `directory`; returns the paths written."""
    written = []
    for relative, text in vector_files(build_vectors()).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY
    for path in write_vectors(directory):
        print(path)


if __name__ == "__main__":
    main()
