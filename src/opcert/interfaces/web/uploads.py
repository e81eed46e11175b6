"""Upload forms. The request body is counted as it arrives and refused past the field's limit
(plus a little for the other fields), the file field is read up to its limit, and the service
that parses the file (in a child process, ``services.uploads.worker``) is waited for off the
event loop, a few at a time, so pages and ``/healthz`` keep answering while files are read."""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from opcert.domain.errors import FieldError
from opcert.interfaces.web.pages import checked_form
from opcert.services.intake.files import read_rows
from opcert.services.uploads.limits import SHEET_LIMITS, UploadBusy, too_large
from opcert.services.uploads.worker import keep_one_ready

T = TypeVar("T")
FORM_OVERHEAD = 64 * 1024  # the CSRF token, the other fields and the multipart framing
READERS = 2  # files read at once by one app process (each in its own child process)
QUEUE = 16  # uploads that may wait for a reader; past it the page answers 503
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


class _BodyTooLarge(Exception):
    pass


async def limited_form(request: Request, field: str, max_bytes: int) -> FormData:
    """The CSRF-checked form of an upload; ``UploadTooLarge`` on ``field`` as soon as the body
    (declared or received) passes ``max_bytes`` plus the form's overhead."""
    limit = max_bytes + FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(field, max_bytes)
    received = 0
    upstream = request.receive

    async def counted() -> Message:
        nonlocal received
        message = await upstream()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge
        return message

    try:
        return await checked_form(Request(request.scope, counted))
    except _BodyTooLarge:
        raise too_large(field, max_bytes) from None


async def read_file(upload: UploadFile, field: str, max_bytes: int) -> bytes:
    """The uploaded file's bytes; ``UploadTooLarge`` past ``max_bytes`` (reads one byte more)."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(field, max_bytes)
    return data


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker thread, at most ``READERS`` at once; ``UploadBusy`` when
    ``QUEUE`` uploads are already waiting."""
    limiter = _limiter()
    if limiter.statistics().tasks_waiting >= QUEUE:
        raise UploadBusy()
    return await anyio.to_thread.run_sync(
        functools.partial(_with_one_ready, function, *args), limiter=limiter
    )


def _with_one_ready(function: Callable[..., T], *args: Any) -> T:
    keep_one_ready()  # a server keeps a reader started ahead (started here, off the loop)
    return function(*args)


async def read_results(request: Request) -> list[Any]:
    """The rows of the results file of an upload form (CSRF-checked field ``file``), read
    within the sheet limits (the command line's: ``submit_file`` splits them into batches)."""
    limits = SHEET_LIMITS
    form = await limited_form(request, "file", limits.max_bytes)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldError("file", "FILE_REQUIRED", "请选择成绩文件", "choose a results file")
    data = await read_file(upload, "file", limits.max_bytes)
    rows: list[Any] = await off_loop(read_rows, upload.filename, data, limits)
    return rows


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(READERS)
    return limiter
