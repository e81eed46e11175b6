"""The child process of ``worker``: imports the parsers, reads one job from stdin (a JSON
header line, then the file's bytes), caps its own address space, runs the job and writes one
JSON answer to stdout. Started as ``python -m opcert.services.uploads.child``."""

from __future__ import annotations

import json
import os
import resource
import sys
from collections.abc import Callable
from typing import Any

from opcert.domain.errors import FieldError
from opcert.services.uploads.limits import UploadLimits, UploadTooLarge

Job = Callable[[str, bytes, UploadLimits], Any]


def jobs() -> dict[str, Job]:
    from opcert.services.intake.sheets import parse_rows
    from opcert.services.uploads.images import photo_media_type, qr_texts

    return {
        "sheet": parse_rows,
        "qr": lambda _name, data, limits: qr_texts(data, limits),
        "photo": lambda _name, data, limits: photo_media_type(data, limits),
    }


def main() -> None:
    # Reading a stranger's file yields to answering requests: the app process keeps priority.
    os.nice(10)
    known = jobs()  # the parsers are imported before the job arrives
    source = sys.stdin.buffer
    line = source.readline()
    if not line:
        return  # the app closed without a job (a reader kept ready at shutdown)
    header = json.loads(line)
    limits = UploadLimits(**header["limits"])
    data = source.read(min(int(header["size"]), limits.max_bytes + 1))
    _limit_memory(limits.memory_bytes)
    answer = _run(known[header["job"]], str(header["name"]), data, limits)
    try:
        text = json.dumps(answer)  # ASCII: a lone surrogate in a JSON file survives the trip
    except (TypeError, ValueError):
        text = json.dumps({"failed": "unreadable"})
    sys.stdout.buffer.write(text.encode())
    sys.stdout.buffer.flush()


def _run(job: Job, name: str, data: bytes, limits: UploadLimits) -> dict[str, Any]:
    try:
        return {"ok": job(name, data, limits)}
    except FieldError as error:
        return {
            "refused": [error.field, error.code, error.message_zh, error.message_en],
            "too_large": isinstance(error, UploadTooLarge),
        }
    except MemoryError:
        return {"failed": "memory"}
    except Exception:
        return {"failed": "unreadable"}


def _limit_memory(allowance: int) -> None:
    """Cap the address space at what the process has now plus ``allowance``: past it an
    allocation fails with MemoryError instead of growing the machine's memory."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = current + allowance
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


if __name__ == "__main__":
    main()
