"""Compact JWS (RFC 7515) for the trust list and the status lists.

Only EdDSA and ES256 exist here, with the same keys as the credentials; ES256
signatures are raw `r || s` (RFC 7518 section 3.4), like COSE's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from opcert.credential.base64url import b64url_decode, b64url_encode
from opcert.credential.errors import JwsError
from opcert.credential.keys import PublicKey, Signer, cose_alg, jose_alg, verify_signature

MAX_JWS_CHARS = 16 * 1024 * 1024


def compact_json(value: object) -> bytes:
    """UTF-8 JSON without spaces, for signed payloads and headers."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _reject_constant(name: str) -> object:
    raise ValueError(f"JSON constant {name} is not allowed")


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member in a JSON object")
    return result


def parse_json_object(data: bytes) -> dict[str, object]:
    """A JSON object from UTF-8 bytes, strictly.

    Raises ValueError for invalid UTF-8 or JSON, NaN/Infinity, duplicate
    member names, or a top-level value that is not an object.
    """
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
        )
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("a JSON object was expected")
    return value


def sign_compact(header: Mapping[str, object], payload: bytes, signer: Signer) -> str:
    """Sign `payload` as a compact JWS with `header`.

    `header["alg"]` must name the signer's algorithm (ValueError otherwise),
    so that a header can never claim another algorithm than the one used.
    """
    if header.get("alg") != jose_alg(signer.alg):
        raise ValueError(f"header alg {header.get('alg')!r} does not match the signer")
    signing_input = f"{b64url_encode(compact_json(dict(header)))}.{b64url_encode(payload)}"
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def read_header(jws: str) -> dict[str, object]:
    """The protected header of a compact JWS, NOT verified: only to pick the key.

    Raises JwsError if the JWS is not three base64url parts or the header is
    not a JSON object.
    """
    header, _payload, _signature = _split(jws)
    return header


def verify_compact(
    jws: str, public_key: PublicKey, expected_alg: str
) -> tuple[dict[str, object], bytes]:
    """Verify a compact JWS and return its header and payload.

    Raises JwsError if the JWS is malformed, its `alg` is not `expected_alg`,
    it has a `crit` header (no extension is understood), or the signature
    does not verify with `public_key`.
    """
    header, payload, signature = _split(jws)
    if header.get("alg") != expected_alg:
        raise JwsError(f"JWS alg {header.get('alg')!r}, expected {expected_alg!r}")
    if "crit" in header:
        raise JwsError("JWS crit header parameters are not supported")
    signing_input = jws[: jws.rindex(".")].encode("ascii")
    if not verify_signature(public_key, cose_alg(expected_alg), signing_input, signature):
        raise JwsError("JWS signature does not verify")
    return header, payload


def _split(jws: str) -> tuple[dict[str, object], bytes, bytes]:
    if not isinstance(jws, str) or len(jws) > MAX_JWS_CHARS or not jws.isascii():
        raise JwsError("not a compact JWS")
    parts = jws.split(".")
    if len(parts) != 3:
        raise JwsError("a compact JWS has three parts")
    try:
        header = parse_json_object(b64url_decode(parts[0]))
        return header, b64url_decode(parts[1]), b64url_decode(parts[2])
    except ValueError as exc:
        raise JwsError(f"not a compact JWS: {exc}") from None
