"""The ports services speak through to the world outside the database.

Services define these protocols; adapters (``opcert.adapters``) implement them; only
``opcert.bootstrap`` chooses an adapter, from ``Settings``, and puts it in the ``ServiceContext``.
Services never import an adapter (an import contract in pyproject.toml holds that).
"""

from __future__ import annotations

from typing import Protocol


class IdentityProvider(Protocol):
    """Who proves that a person is who they say: the government identity service in production.

    The platform's own records are checked by the service first (a holder logs in only to see
    certificates held here); the provider answers what the platform cannot know.
    """

    def confirm(self, id_number: str, name: str) -> None:
        """Confirm that ``name`` is the name of ``id_number`` (二要素核验). Raises a
        ``DomainError`` when it is not, or when no provider can answer."""
        ...

    def face_check(self, id_number: str, name: str, evidence: str) -> bool:
        """The live face check (人脸核身) of that person: True when it passed."""
        ...


class SmsGateway(Protocol):
    """Text messages to phones. ``client_message_id`` is the idempotency key: commercial SMS
    gateways deduplicate on it, which makes a re-sent message reach the phone once."""

    def submit(self, *, phone: str, text: str, client_message_id: str) -> None: ...


class Notifier(Protocol):
    """A channel of the reminders (``email`` over SMTP, ``sms`` over an SMS gateway); ``key`` is
    the idempotency key the provider deduplicates on."""

    channel: str

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None: ...
