"""NOT FOR PRODUCTION: the development SMS gateway keeps the last messages in this process and
shows them on ``/dev/outbox``. Production refuses it (``Settings``).

It is per-process on purpose: it stands in for the phones, not for platform state. With several
development processes, a code is on the outbox page of the process that sent it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opcert.domain.clock import Clock

KEPT = 50


@dataclass(frozen=True)
class OutboxMessage:
    to: str
    text: str
    at: datetime
    key: str = ""


@dataclass
class DevelopmentSmsOutbox:
    clock: Clock
    messages: list[OutboxMessage] = field(default_factory=list)

    def submit(self, *, phone: str, text: str, client_message_id: str) -> None:
        """The newest first; a message id seen before is not kept twice (as a gateway would)."""
        if client_message_id and any(m.key == client_message_id for m in self.messages):
            return
        self.messages.insert(0, OutboxMessage(phone, text, self.clock.now(), client_message_id))
        del self.messages[KEPT:]
