"""Email over SMTP. The idempotency key becomes the Message-ID, so a re-sent reminder (after a
crash between send and mark) is recognisable as the same message by mail clients."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage


class SmtpNotifier:
    channel = "email"

    def __init__(self, host: str, port: int, sender: str, *, timeout: float = 10) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        """Send one message; raises ``smtplib.SMTPException`` or ``OSError`` on failure."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message["Message-ID"] = f"<{key}@opcert.reminders>"
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
            client.send_message(message)
