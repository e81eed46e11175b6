"""The one place where real, development and fake parts are chosen and wired together.

Nothing is built at import time: ``build()`` makes a platform from settings, and tests pass their
own settings and clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from opcert.credential.pkcs11_signer import Pkcs11Token
from opcert.domain.clock import Clock, FixedClock, SystemClock
from opcert.persistence.database import make_engine, migrate
from opcert.persistence.private_files import make_private_dir, restrict_tree
from opcert.persistence.unit_of_work import UnitOfWorkFactory
from opcert.services import registry
from opcert.services.context import ServiceContext
from opcert.services.identity import IdentityVerifier, verifier_for
from opcert.services.keystore import KeyStore
from opcert.services.statuslists import StatusListService
from opcert.settings import Settings, load_settings


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    ctx: ServiceContext
    identity: IdentityVerifier

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings | None = None, *, clock: Clock | None = None) -> Platform:
    settings = settings or load_settings()
    settings.check_production()
    if clock is None:
        clock = FixedClock(settings.fake_now) if settings.fake_now else SystemClock()
    # A data dir left readable by an older version or a restore is closed at every start.
    restrict_tree(settings.data_dir)
    engine = make_engine(settings.resolved_database_url)
    keys = KeyStore(
        settings.keys_dir, settings.passphrase, settings.trust_list_lifetime, hsm=_hsm(settings)
    )
    ctx = ServiceContext(
        clock=clock,
        keys=keys,
        status_lists=StatusListService(keys, ttl=settings.status_list_ttl),
        uow=UnitOfWorkFactory(engine),
        read=UnitOfWorkFactory(engine, read_only=True),
        base_url=settings.base_url,
        batch_limit=settings.batch_limit,
        officer_token_hours=settings.officer_token_hours,
    )
    # The development identity provider (codes shown on a page) outside production only.
    return Platform(settings, engine, ctx, verifier_for(settings.env))


def _hsm(settings: Settings) -> Pkcs11Token | None:
    """The PKCS#11 token new keys go to, when ``OPCERT_SIGNER=pkcs11``; opened on first use."""
    if settings.signer != "pkcs11":
        return None
    assert settings.pkcs11_module and settings.pkcs11_token_label and settings.pkcs11_pin
    return Pkcs11Token(settings.pkcs11_module, settings.pkcs11_token_label, settings.pkcs11_pin)


def initialise(platform: Platform) -> list[str]:
    """Create the data dir (0700, its files 0600), migrate, and make sure every authority has
    keys. Safe to repeat."""
    make_private_dir(platform.settings.data_dir)
    migrate(platform.engine)
    ctx = platform.ctx
    with ctx.uow() as uow:
        issuers = registry.ensure_authorities(uow, ctx)
        created = ctx.keys.ensure(uow, issuers, ctx.now())
        uow.commit()
    restrict_tree(platform.settings.data_dir)
    return created
