"""Mail adapters (``OPCERT_SMTP_HOST``): SMTP."""

from opcert.adapters.mail.smtp import SmtpNotifier

__all__ = ["SmtpNotifier"]
