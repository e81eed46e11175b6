"""Fuzz the SC1 decoder and verifier with atheris (libFuzzer, coverage-guided).

The property: any input gives a verdict. `sc1.decode` raises nothing but MalformedCredential;
`verifier.verify` raises nothing and never falls back to its INTERNAL_ERROR answer (which it
gives, rather than raise, when a bug inside it raises).

The first byte picks the layer the rest of the input lands on, so that the fuzzer reaches the
inner layers instead of spending itself on the prefix:

    0  the whole SC1 text                       (prefix, Base45, ...)
    1  "SC1:" + Base45(input)                   (ZLIB and inward)
    2  "SC1:" + Base45(ZLIB(input))             (COSE_Sign1 CBOR and inward)
    3  the input as a CWT payload, signed with a trusted key   (claims, dates, status)

    .venv/bin/pip install atheris      # not a project dependency
    mkdir -p /tmp/sc1-corpus           # seeded with the published test vectors when empty
    .venv/bin/python fuzz/fuzz_decode.py /tmp/sc1-corpus -max_total_time=120 -print_final_stats=1
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the vector keys: scripts/

with atheris.instrument_imports(include=["opcert"]):
    from scripts.sc1_vectors.envelopes import envelope, printed
    from scripts.sc1_vectors.keys import ZHUHAI

    from opcert.credential.base45_codec import b45encode
    from opcert.credential.errors import MalformedCredential
    from opcert.credential.sc1 import PREFIX, b45decode, decode
    from opcert.credential.statuslist import StatusBits, StatusList
    from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList
    from opcert.credential.verifier import StaticStatusSource, verify

NOW = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)
SIGNER = ZHUHAI.signer()
_NOW_SECONDS = int(NOW.timestamp())
TRUST = TrustList(
    iss="CN",
    iat=_NOW_SECONDS - 600,
    exp=_NOW_SECONDS + 86400,
    keys=(
        TrustedKey(
            SIGNER.kid, "CN-440400", "EdDSA", SIGNER.public_key(), 0, None, KeyStatus.ACTIVE, None
        ),
    ),
)
STATUSES = StaticStatusSource(
    [StatusList("CN-440400-0001", "CN-440400", _NOW_SECONDS - 60, 3600, StatusBits.from_values(
        65536, {i: i % 4 for i in range(0, 65536, 7)}
    ))]
)  # fmt: skip


def text_for(data: bytes) -> str:
    """The SC1 text the input stands for (see the module doc)."""
    if not data:
        return ""
    mode, rest = data[0] % 4, data[1:]
    if mode == 0:
        return rest.decode("latin-1")
    if mode == 1:
        return PREFIX + b45encode(rest)
    if mode == 2:
        return PREFIX + b45encode(zlib.compress(rest))
    return printed(envelope(None, SIGNER, raw_payload=rest))


def test_one_input(data: bytes) -> None:
    text = text_for(data)
    with contextlib.suppress(MalformedCredential):
        decode(text)
    result = verify(text, trust_list=TRUST, statuses=STATUSES, now=NOW)
    if result.checks[0].code == "INTERNAL_ERROR":
        raise AssertionError(f"verify failed inside on {text!r}")


def seed(corpus: Path) -> None:
    """Fill an empty corpus directory with the published vectors, one input per layer mode."""
    vectors = Path(__file__).resolve().parent.parent / "docs" / "test-vectors" / "sc1-vectors.json"
    cases = json.loads(vectors.read_text("utf-8"))["cases"]
    for case in cases:
        text = case["sc1"]
        inputs = [b"\x00" + text.encode("latin-1")]
        with contextlib.suppress(MalformedCredential):
            decoded = decode(text)
            inputs.append(b"\x03" + decoded.payload_bytes)
            inputs.append(b"\x02" + zlib.decompress(bytes(b45decode(text[len(PREFIX) :]))))
        for data in inputs:
            (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)  # noqa: S324 - a file name


def main() -> None:
    directories = [Path(arg) for arg in sys.argv[1:] if not arg.startswith("-")]
    if directories and directories[0].is_dir() and not any(directories[0].iterdir()):
        seed(directories[0])
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
