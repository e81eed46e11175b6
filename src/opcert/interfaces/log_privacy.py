"""Log records never carry a full ID number or a name (issue 12, part 8).

``PersonalDataFilter`` rewrites a record in place with ``opcert.domain.privacy.redact``: the
message, its arguments (uvicorn's access log keeps the request line, query string included, in
``args``), the formatted traceback and the stack. ``install()`` applies it to every record the
process creates, whatever its logger (uvicorn's ``uvicorn.error`` and ``uvicorn.access``,
SQLAlchemy's, ours) and whatever handlers a later ``dictConfig`` sets up, by wrapping the
record factory; it also adds the filter to the handlers already configured. ``opcert serve``, the
ASGI factory, the app itself and the CLI call it; calling it again does nothing.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from typing import Any

from opcert.domain.privacy import redact

_lock = threading.Lock()
_installed: list[Callable[..., logging.LogRecord]] = []


class PersonalDataFilter(logging.Filter):
    """Masks ID numbers and removes names from a record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_opcert_scrubbed", False):
        return record
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    elif record.msg is not None and not isinstance(record.msg, int | float):
        record.msg = redact(str(record.msg))
    record.args = _scrub_args(record.args)
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # Formatted now, masked, and kept: handlers reuse ``exc_text`` instead of formatting again.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._opcert_scrubbed = True
    return record


def _scrub_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(_scrub_value(value) for value in args)
    if isinstance(args, dict):
        return {key: _scrub_value(value) for key, value in args.items()}
    return args


def _scrub_value(value: object) -> object:
    # Numbers keep their type (a %d placeholder needs one); anything else is shown as text.
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    cleaned = redact(text)
    return value if cleaned == text and not isinstance(value, str) else cleaned


def install() -> None:
    """Scrub every log record this process creates from now on. Idempotent."""
    with _lock:
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                return scrub(previous(*args, **kwargs))

            logging.setLogRecordFactory(factory)
            _installed.append(factory)
    log_filter = PersonalDataFilter()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(log_filter)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up with ``PersonalDataFilter`` on both of its handlers, for
    ``uvicorn.run(log_config=...)``: applied in every worker process it starts."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["personal_data"] = {"()": f"{__name__}.PersonalDataFilter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("personal_data")
    return config
