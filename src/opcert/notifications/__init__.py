"""Notifier adapters (SMTP, SMS) for the reminder outbox of ``services.lifecycle.reminders``."""
