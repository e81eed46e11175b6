"""One table from domain errors to HTTP status codes, shared by the API (problem+json,
``interfaces.api.errors``) and the pages (the status a re-rendered form is sent with).

The first row whose class the error is an instance of wins, so subclasses come first.
"""

from __future__ import annotations

from opcert.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    IllegalTransition,
    NotFound,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from opcert.interfaces.api.json_input import BodyTooLarge
from opcert.services.abuse import AbuseStoreUnavailable, TooManyRequests
from opcert.services.intake.pipeline import BatchTooLarge
from opcert.services.uploads.limits import UploadBusy, UploadTooLarge

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (BatchTooLarge, 413),
    (UploadTooLarge, 413),  # a FieldError: before it
    (BodyTooLarge, 413),
    (TooManyRequests, 429),
    (AbuseStoreUnavailable, 503),
    (UploadBusy, 503),
    (Unavailable, 503),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (IllegalTransition, 409),
    (ValidationFailed, 422),
    (FieldError, 422),
    (DomainError, 400),
]


def status_for(error: DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400
