"""Running a parser of untrusted bytes in a child process, killed when it overruns its limits.

Each file is read by a fresh Python process (``python -m opcert.services.uploads.child``) that
reads exactly one job and exits: nothing of the app process (event loop, threads, database
connections, secrets in the environment) is in the child, a crash or a runaway parse costs only
the child, and the memory a parse used goes back to the system when it exits. The child answers
in JSON, never pickle, so even a child taken over by a hostile file cannot run code in the app.
A server keeps one child started ahead (``keep_one_ready``), so an upload does not wait for
Python to import the parsers.

Contract of ``run_isolated``: the job's result, or the ``FieldError`` the job raised, or a
``FieldError`` on ``field`` when the child overran its wall time (it is killed), ran out of its
memory allowance, or failed in a way the job did not expect. Never a Python message.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import asdict
from typing import Any

from opcert.domain.errors import FieldError
from opcert.services.uploads.limits import UploadLimits, UploadTooLarge, size_text

CHILD = [sys.executable, "-m", "opcert.services.uploads.child"]
# All the child needs to start the same Python with the same packages; no OPCERT_* secret.
ENVIRONMENT = (
    "PATH",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "LD_LIBRARY_PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "HOME",
)
log = logging.getLogger(__name__)


class _Children:
    """Starts children; once asked to, keeps one started ahead for the next job."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: subprocess.Popen[bytes] | None = None
        self._keep_ready = False

    def keep_one_ready(self) -> None:
        with self._lock:
            self._keep_ready = True
            if self._ready is None:
                self._ready = _start()

    def take(self) -> subprocess.Popen[bytes]:
        with self._lock:
            child, self._ready = self._ready, None
            if self._keep_ready:
                self._ready = _start()
        if child is None or child.poll() is not None:
            child = _start()
        return child


_children = _Children()


def keep_one_ready() -> None:
    """Start a child now and keep one started ahead from now on (for servers)."""
    _children.keep_one_ready()


def run_isolated(job: str, name: str, data: bytes, *, field: str, limits: UploadLimits) -> Any:
    """Run ``job`` (``sheet``, ``qr`` or ``photo``: ``child.jobs``) on ``data`` in a child process, within ``limits``
    (``seconds`` of wall time from now, ``memory_bytes`` more than the child starts with)."""
    header = json.dumps({"job": job, "name": name, "limits": asdict(limits), "size": len(data)})
    child = _children.take()
    try:
        out, _ = child.communicate(header.encode() + b"\n" + data, timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return _refuse(field, "timeout", limits)
    try:
        answer = json.loads(out)
    except ValueError:
        # Out of memory, or a reader that cannot start at all: the operator should know which.
        log.warning("upload reader ended with code %s without an answer", child.returncode)
        return _refuse(field, "died" if child.returncode else "unreadable", limits)
    if "ok" in answer:
        return answer["ok"]
    if "refused" in answer:
        kind = UploadTooLarge if answer.get("too_large") else FieldError
        raise kind(*answer["refused"])
    return _refuse(field, str(answer.get("failed")), limits)


def _start() -> subprocess.Popen[bytes]:
    environment = {key: os.environ[key] for key in ENVIRONMENT if key in os.environ}
    return subprocess.Popen(  # noqa: S603 - a fixed command line: this Python, our module
        CHILD,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a parser's messages may quote the file: never in the logs
        env=environment,
        cwd="/",
    )


def _refuse(field: str, kind: str, limits: UploadLimits) -> Any:
    noun_zh, noun_en = ("照片", "photo") if field == "photo" else ("文件", "file")
    if kind == "timeout":
        raise FieldError(
            field,
            "PARSE_TIMEOUT",
            f"{noun_zh}在 {limits.seconds:g} 秒内没有读完，已停止读取，未接受任何内容；"
            "请检查文件，或分成较小的文件上传",
            f"the {noun_en} could not be read within {limits.seconds:g} s; reading was "
            "stopped and nothing was accepted",
        )
    if kind in ("memory", "died"):
        raise FieldError(
            field,
            "PARSE_MEMORY",
            f"读取{noun_zh}超出了 {size_text(limits.memory_bytes)} 的内存上限或异常终止，"
            "已停止读取，未接受任何内容",
            f"reading the {noun_en} went over the {size_text(limits.memory_bytes)} memory limit "
            "or failed; reading was stopped and nothing was accepted",
        )
    raise FieldError(
        field,
        "UNREADABLE",
        f"无法读取该{noun_zh}：文件已损坏或不是所说的格式",
        f"the {noun_en} cannot be read: it is damaged or not of the format its name says",
    )
