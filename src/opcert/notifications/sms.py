"""The SMS adapter interface: a gateway that takes a client message id and deduplicates on it
(as commercial SMS gateways do), which makes reminders exactly-once to the recipient."""

from __future__ import annotations

from typing import Protocol


class SmsGateway(Protocol):
    def submit(self, *, phone: str, text: str, client_message_id: str) -> None: ...


class SmsNotifier:
    channel = "sms"

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        self.gateway.submit(phone=recipient, text=body, client_message_id=key)
