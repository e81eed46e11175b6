"""Domain errors: what went wrong, in words a person can act on.

Every error carries a stable machine ``code``, a Simplified Chinese message
(shown first) and its English counterpart. Errors say nothing about HTTP: the
interfaces map each class to a status code, page message or exit code in one
table each.
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Base of every expected failure of a domain rule.

    ``str(error)`` is the Chinese message, so logs and tracebacks read the way
    users see the error. ``field`` names the input at fault, when one is.
    """

    code: str
    message_zh: str
    message_en: str
    field: str | None

    def __init__(
        self, code: str, message_zh: str, message_en: str, field: str | None = None
    ) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field

    def __str__(self) -> str:
        return self.message_zh

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready view: ``code``, ``field``, ``message_zh``, ``message_en``."""
        return {
            "code": self.code,
            "field": self.field,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


class FieldError(DomainError):
    """One named input field is at fault.

    The field comes first in the constructor because it is what a form needs
    to put the message next to the right box.
    """

    field: str

    def __init__(self, field: str, code: str, message_zh: str, message_en: str) -> None:
        if not field:
            raise ValueError("FieldError needs the name of the field at fault")
        super().__init__(code, message_zh, message_en, field)
        self.field = field


class ValidationFailed(DomainError):
    """Several field errors reported together, so a form shows them all at once.

    Raises ``ValueError`` when given no errors: an empty failure is a bug.
    """

    errors: list[FieldError]

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("ValidationFailed needs at least one FieldError")
        count = len(errors)
        super().__init__(
            "VALIDATION_FAILED",
            f"提交的信息有 {count} 处错误，请修改后重新提交。",
            f"The submission has {count} error(s); please correct and resubmit.",
        )
        self.errors = list(errors)


class NotFound(DomainError):
    """The thing asked for does not exist (or may not be revealed to exist)."""


class Conflict(DomainError):
    """The request contradicts the current state (a duplicate, a stale version)."""


class Forbidden(DomainError):
    """The actor is known but may not do this."""


class Unauthorized(DomainError):
    """The actor is not known: missing or invalid credentials."""


class IllegalTransition(DomainError):
    """A status change that the transition table does not allow."""


class Unavailable(DomainError):
    """A part outside the platform (an SMS gateway, the identity provider) did not answer: try
    again later. Nothing was decided."""
