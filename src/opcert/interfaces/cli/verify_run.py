"""What ``opcert verify`` does, without Typer: the Typer command (``verify.py``) and the fast
entry point (``entry.py``) both call `run`.

At module level this imports the credential package and the offline reader only. The platform
(settings, database, HTTP client) is imported inside the functions that need it: the online
check, a trust directory defaulted from the data directory, and a development clock.

Every input gets a verdict (spec section 6): anything that is not an SC1 string or a file
holding one is MALFORMED, with the reason. A trust list that cannot be read is a one-line
error (exit 1); with ``--json`` the error is also printed as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from opcert.credential.freshness import RevisionFile
from opcert.credential.offline import OfflineVerifier, read_credential_from_file
from opcert.credential.pinning import grouped, parse_fingerprint
from opcert.credential.verifier import ASCII_WHITESPACE, malformed

STATE_FILE_ENV = "OPCERT_VERIFIER_STATE"
FINGERPRINT_ENV = "OPCERT_ROOT_FINGERPRINT"


@dataclass(frozen=True)
class VerifyOptions:
    """The options of ``opcert verify`` (see ``verify.py`` for their help)."""

    source: str
    offline: bool = False
    trust_list: Path | None = None
    status_dir: Path | None = None
    root_key: Path | None = None
    root_fingerprints: tuple[str, ...] = ()
    state: Path | None = None
    as_json: bool = False
    log_proof: Path | None = None
    require_log: bool = False


def run(options: VerifyOptions) -> int:
    """Verify, print the answer, and return the exit status: 0 only for VALID. One-line
    failures (an unreadable trust list, the platform unreachable) raise SystemExit(1)."""
    text, problem = _credential_text(options.source)
    if options.offline:
        result = _offline(
            text,
            problem,
            options.trust_list,
            options.status_dir,
            options.root_key,
            list(options.root_fingerprints),
            options.state,
            options.as_json,
            options.log_proof,
            options.require_log,
        )
    elif problem is not None:
        result = malformed(*problem, _now()).to_json()
    else:
        result = _online(text, options.as_json)
    _print(result, options.as_json)
    return 0 if result.get("verdict") == "VALID" else 1


def _offline(
    text: str,
    problem: tuple[str, str] | None,
    trust_list: Path | None,
    status_dir: Path | None,
    root_key: Path | None,
    fingerprints: list[str] | None,
    state: Path | None,
    as_json: bool,
    log_proof: Path | None = None,
    require_log: bool = False,
) -> dict[str, Any]:
    trust_file = trust_list or _data_dir() / "trust" / "trust-list.jws"
    try:
        pins = _pins(fingerprints)
        revisions = RevisionFile.load(state or _default_state())
        verifier = OfflineVerifier.from_files(
            trust_file,
            status_dir or trust_file.parent / "status",
            pins=pins,
            root_key_file=root_key,
            revisions=revisions,
        )
    except (ValueError, OSError) as error:
        _fail(str(error), as_json)
    if log_proof is not None or require_log:
        # Spec step 6: the credential must be in the transparency log; a proof that cannot be
        # read is a one-line error, a proof that does not prove it gives NOT_LOGGED.
        proof_text = None
        if log_proof is not None:
            try:
                proof_text = log_proof.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                reason = getattr(error, "strerror", None) or error
                _fail(
                    f"无法读取日志证明 / cannot read the log proof {log_proof}: {reason}", as_json
                )
        verifier.require_log(proof_text)
    now = _now()
    if verifier.problem is None and problem is not None:
        answer = malformed(*problem, now)
    else:
        answer = verifier.verify(text, now=now)
    try:
        revisions.save()
    except OSError as error:
        _fail(
            f"无法写入核验状态 / cannot write the verifier state {revisions.path}: {error}", as_json
        )
    result = answer.to_json()
    result["root_fingerprint"] = verifier.fingerprint
    result["root_trusted"] = verifier.problem is None
    return result


def _pins(given: list[str] | None) -> set[str]:
    """The fingerprints given on the command line and in OPCERT_ROOT_FINGERPRINT."""
    texts = list(given or [])
    texts += [part for part in os.environ.get(FINGERPRINT_ENV, "").split(",") if part.strip()]
    try:
        return {parse_fingerprint(text) for text in texts}
    except ValueError as error:
        raise ValueError(f"根公钥指纹无效 / --root-fingerprint: {error}") from None


def _default_state() -> Path:
    if os.environ.get(STATE_FILE_ENV):
        return Path(os.environ[STATE_FILE_ENV])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "opcert" / "verifier-state.json"


def _data_dir() -> Path:
    from opcert.settings import Settings

    return Settings().data_dir


def _now() -> datetime:
    """The clock: the development fake (OPCERT_FAKE_NOW, through the settings) or the system's."""
    if os.environ.get("OPCERT_FAKE_NOW"):
        from opcert.settings import Settings

        fake = Settings().fake_now
        if fake is not None:
            return fake
    return datetime.now(UTC)


def _credential_text(source: str) -> tuple[str, tuple[str, str] | None]:
    """(the SC1 text given or read from the file named, None) or ("", why it is MALFORMED)."""
    text = source.strip(ASCII_WHITESPACE)
    if not text:
        return "", ("输入为空", "the input is empty")
    if text.startswith("SC1:"):
        return source, None
    path = Path(source)
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError):  # a name too long for a path, a NUL byte
        exists = is_file = False
    shown = text if len(text) <= 60 else text[:60] + "…"
    if not exists:
        return "", (f"不以 SC1: 开头，也不是文件：{shown}", f"not SC1: nor a file: {shown}")
    if not is_file:
        return "", (f"是目录或特殊文件：{shown}", f"a directory or special file: {shown}")
    try:
        return read_credential_from_file(path), None
    except ValueError as error:
        return "", (str(error), str(error))
    except OSError as error:
        reason = error.strerror or str(error)
        return "", (f"无法读取文件 {shown}：{reason}", f"cannot read {shown}: {reason}")


def _online(text: str, as_json: bool) -> dict[str, Any]:
    import httpx

    from opcert.interfaces.cli.context import platform

    base = platform().settings.base_url.rstrip("/")
    try:
        response = httpx.post(f"{base}/api/v1/verify", json={"payload": text}, timeout=10)
    except httpx.HTTPError as error:
        _fail(
            f"无法连接平台 {base}（可改用 --offline）/ cannot reach {base}, try --offline: {error}",
            as_json,
        )
    if response.status_code != 200:
        _fail(f"平台返回 {response.status_code}: {response.text[:200]}", as_json)
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        _fail(f"平台的回答不是 JSON / {base} did not answer JSON", as_json)
    body.setdefault("root_fingerprint", None)
    body["verified_by"] = base
    return body


def _fail(message: str, as_json: bool) -> NoReturn:
    """One line on stderr, exit 1; with --json the same error as JSON on stdout."""
    line = " ".join(message.split())
    if as_json:
        print(json.dumps({"verdict": None, "error": line}, ensure_ascii=False))
    print(f"错误 / error: {line}", file=sys.stderr)
    raise SystemExit(1)


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"结论 / verdict: {result.get('verdict')}")
    fingerprint = result.get("root_fingerprint")
    if fingerprint:
        trusted = "已固定 / pinned" if result.get("root_trusted") else "未固定，不可信 / NOT pinned"
        print(f"  根公钥指纹 / root fingerprint: {fingerprint} ({trusted})")
        print(f"    {grouped(fingerprint)}")
    elif result.get("verified_by"):
        print(f"  在线核验 / verified online by {result['verified_by']}")
    for check in result.get("checks", []):
        print(
            f"  [{check['outcome']}] {check['name']}: {check['message_zh']} / {check['message_en']}"
        )
    certificate = result.get("certificate")
    if certificate:
        unverified = "" if result.get("certificate_verified") else "（未经验证 / UNVERIFIED）"
        print(
            f"  {unverified}证号 {certificate.get('no')}  姓名 {certificate.get('nam')}"
            f"  项目 {certificate.get('itn')}  有效期 {certificate.get('vfr')} 至 {certificate.get('vto')}"
            f"  签发机关 {certificate.get('aut')}"
        )
