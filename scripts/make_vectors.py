"""Write the published SC1 test vectors to docs/test-vectors/ (or to the directory given).

    .venv/bin/python scripts/make_vectors.py [DIRECTORY]

Deterministic: running it again writes the same files. The keys are TEST ONLY (see the README
written beside them). Before writing anything it holds every certificate inside every vector to
the domain rules (`opcert.domain.credential_claims`: a valid resident ID number, `sex` as the
number says, the rule set in force on `vfr`, its validity, no `rvd` under MEM19): one vector that
breaks them and nothing is written, the script lists why and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python scripts/make_vectors.py`: the repository's root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opcert.domain.credential_claims import claim_errors
from scripts.sc1_vectors.claims import embedded_claims
from scripts.sc1_vectors.document import build_vectors, vector_files

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "docs" / "test-vectors"


class InconsistentVectors(Exception):
    """Vectors whose claims break the domain rules; `problems` says which and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the vectors' claims")
        self.problems = problems


def claim_problems(document: dict[str, Any]) -> list[str]:
    """`case id: claim: why` for every certificate in a case that breaks the domain rules, and
    for every case that is not MALFORMED yet carries no certificate that can be read."""
    problems = []
    for case in document["cases"]:
        found = embedded_claims(case["sc1"])
        if not found and case["expected_verdict"] != "MALFORMED":
            problems.append(f"{case['id']}: no certificate claims can be read")
        for claims in found:
            for error in claim_errors(claims.certificate, exp=claims.exp):
                problems.append(f"{case['id']}: {error.field}: {error.message_en}")
    return problems


def write_vectors(directory: Path, document: dict[str, Any] | None = None) -> list[Path]:
    """Write every vector file of `document` (default: `build_vectors()`) under `directory`;
    returns the paths written. Raises InconsistentVectors, having written nothing, if a case's
    claims break the domain rules."""
    document = build_vectors() if document is None else document
    problems = claim_problems(document)
    if problems:
        raise InconsistentVectors(problems)
    written = []
    for relative, text in vector_files(document).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY
    try:
        written = write_vectors(directory)
    except InconsistentVectors as error:
        print("refused: these vectors break the domain rules; nothing written", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        sys.exit(1)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
