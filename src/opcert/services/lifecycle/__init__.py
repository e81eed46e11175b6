"""A certificate's life after issue: review, renewal, acts on it, legacy cards, reminders.

Every function takes a :class:`~opcert.services.kernel.context.ServiceContext` and reads the day from its
clock, so the same calls serve the API, the CLI and tests under a fake clock.
"""
