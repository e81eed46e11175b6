"""What every service gets besides its unit of work: the clock, the key store, the status lists,
the limits and every port to the outside: identity provider, SMS gateway, mail and SMS notifiers,
session store.

Built in one place only, ``opcert.bootstrap.build``, from ``Settings``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from opcert.domain.clock import Clock, local_date
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.abuse import AbuseControls
from opcert.services.kernel.keystore import KeyStore
from opcert.services.kernel.ports import IdentityProvider, Notifier, SmsGateway
from opcert.services.kernel.session_store import SessionStore
from opcert.services.kernel.statuslists import StatusListService
from opcert.services.sharing.config import SharingConfig


@dataclass
class ServiceContext:
    clock: Clock
    keys: KeyStore
    status_lists: StatusListService
    uow: Callable[[], UnitOfWork]
    # Sessions, login challenges and kept error sheets, shared by every app process.
    sessions: SessionStore = field(kw_only=True)
    identity: IdentityProvider = field(kw_only=True)
    sms: SmsGateway = field(kw_only=True)
    # The reminders' channels by name ("email", "sms"); a channel left out stays queued.
    notifiers: dict[str, Notifier] = field(default_factory=dict, kw_only=True)
    base_url: str = "http://127.0.0.1:8000"
    batch_limit: int = 1000
    officer_token_hours: int = 12
    read: Callable[[], UnitOfWork] | None = None  # read-only units of work, where cheaper
    # Named rate limits (the public query's among them), shared by processes through Redis.
    abuse: AbuseControls = field(default_factory=AbuseControls)
    # --- holds ---
    # A signal holds its exam point or institution when q < hold_q_max and its effect reaches
    # the kind's threshold (services/analytics/holds.py LARGE_EFFECT, overridden per kind here).
    hold_q_max: float = 0.01
    hold_min_effect: dict[str, float] = field(default_factory=dict)
    # Data sharing (issue 17): sealing key, webhook key, which addresses webhooks may reach.
    sharing: SharingConfig | None = None

    def sharing_config(self) -> SharingConfig:
        """The data-sharing configuration; ``RuntimeError`` when the context was built without
        one (only the unit tests' context is)."""
        if self.sharing is None:
            raise RuntimeError("this service context has no data-sharing configuration")
        return self.sharing

    def reader(self) -> UnitOfWork:
        """A unit of work for a path that only reads (public query, online verification)."""
        return self.read() if self.read is not None else self.uow()

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.clock.now())
