"""The reminders' ``sms`` channel over an SMS gateway: the reminder's idempotency key becomes
the gateway's client message id, so a re-sent reminder reaches the phone once (gateways
deduplicate on it)."""

from __future__ import annotations

from typing import Protocol


class _Gateway(Protocol):  # the port is services.kernel.ports.SmsGateway; adapters do not import it
    def submit(self, *, phone: str, text: str, client_message_id: str) -> None: ...


class SmsNotifier:
    channel = "sms"

    def __init__(self, gateway: _Gateway) -> None:
        self.gateway = gateway

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        self.gateway.submit(phone=recipient, text=body, client_message_id=key)
