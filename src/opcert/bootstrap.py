"""The one place where real, development and fake parts are chosen and wired together.

Nothing is built at import time: ``build()`` makes a platform from settings, and tests pass their
own settings and clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from opcert.adapters.identity import DevelopmentIdentityProvider, UnconfiguredIdentityProvider
from opcert.adapters.mail import SmtpNotifier
from opcert.adapters.sms import (
    DevelopmentSmsOutbox,
    HttpSmsGateway,
    SmsNotifier,
    UnconfiguredSmsGateway,
)
from opcert.credential.pkcs11_signer import Pkcs11Token
from opcert.domain.clock import Clock, FixedClock, SystemClock
from opcert.persistence.database import (
    database_exists,
    database_failure,
    make_engine,
    migrate,
    schema_is_current,
    table_names,
)
from opcert.persistence.private_files import make_private_dir, restrict_tree
from opcert.persistence.redis_session_store import RedisSessionStore
from opcert.persistence.session_store import DatabaseSessionStore
from opcert.persistence.unit_of_work import UnitOfWorkFactory
from opcert.services.abuse import AbuseControls, default_policy
from opcert.services.kernel import production
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.keystore import KeyStore
from opcert.services.kernel.ports import IdentityProvider, Notifier, SmsGateway
from opcert.services.kernel.session_store import SessionStore
from opcert.services.kernel.statuslists import StatusListService
from opcert.services.registry import parties as registry
from opcert.services.sharing.config import SharingConfig
from opcert.settings import ProductionRefused, Settings


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    ctx: ServiceContext
    # The development SMS gateway's messages, shown on /dev/outbox; None with any other gateway.
    outbox: DevelopmentSmsOutbox | None = None
    # Rate limits and one-time marks, shared by the pages and the API (Redis when configured).
    abuse: AbuseControls = field(default_factory=AbuseControls)

    def __post_init__(self) -> None:
        # The services count their limits on the context's controls: always this same object
        # (a platform copied with other controls, as a second process is in tests, follows them).
        if self.ctx.abuse is not self.abuse:
            self.ctx = replace(self.ctx, abuse=self.abuse)

    def close(self) -> None:
        self.engine.dispose()
        self.abuse.close()


def build(settings: Settings | None = None, *, clock: Clock | None = None) -> Platform:
    settings = settings or Settings()
    if settings.env == "production":
        problems = production_problems(settings)
        if problems:
            raise ProductionRefused(problems)
    if clock is None:
        clock = FixedClock(settings.fake_now) if settings.fake_now else SystemClock()
    # A data dir left readable by an older version or a restore is closed at every start.
    restrict_tree(settings.data_dir)
    engine = make_engine(settings.resolved_database_url)
    keys = KeyStore(
        settings.keys_dir, settings.passphrase, settings.trust_list_lifetime, hsm=_hsm(settings)
    )
    abuse = AbuseControls(
        settings.redis_url,
        policy=default_policy(settings.query_rate_per_minute),
        trusted_proxies=settings.trusted_proxies,
        prefix=settings.redis_key_prefix,
    )
    sessions = session_store(settings, engine)
    sms = sms_gateway(settings, clock)
    ctx = ServiceContext(
        clock=clock,
        keys=keys,
        status_lists=StatusListService(keys, ttl=settings.status_list_ttl),
        uow=UnitOfWorkFactory(engine),
        read=UnitOfWorkFactory(engine, read_only=True),
        base_url=settings.base_url,
        batch_limit=settings.batch_limit,
        officer_token_hours=settings.officer_token_hours,
        sessions=sessions,
        identity=identity_provider(settings),
        sms=sms,
        notifiers=notifiers(settings, sms),
        abuse=abuse,
        hold_q_max=settings.hold_q_max,  # --- holds ---
        hold_min_effect=settings.hold_min_effect,
        sharing=sharing_config(settings),
    )
    return Platform(settings, engine, ctx, _development_outbox(ctx), abuse)


def sharing_config(settings: Settings) -> SharingConfig:
    """Data sharing's keys and limits: private webhook addresses allowed in development unless
    ``OPCERT_WEBHOOK_ALLOW_PRIVATE`` says otherwise, and in production only when it says so."""
    allow = settings.webhook_allow_private
    if allow is None:
        allow = settings.env != "production"
    return SharingConfig(
        sealing_key=settings.secret("webhook"),
        keys_dir=settings.keys_dir,
        passphrase=settings.passphrase,
        allow_private_urls=allow,
        timeout_seconds=settings.webhook_timeout_seconds,
    )


def _development_outbox(ctx: ServiceContext) -> DevelopmentSmsOutbox | None:
    """The /dev/outbox page exists with the development identity provider and SMS gateway
    together only: it is where that provider's login codes are read."""
    development = isinstance(ctx.identity, DevelopmentIdentityProvider)
    return ctx.sms if development and isinstance(ctx.sms, DevelopmentSmsOutbox) else None


def identity_provider(settings: Settings) -> IdentityProvider:
    """``OPCERT_IDENTITY_PROVIDER``. The development provider never serves production, even if
    settings let it through."""
    if settings.env == "production" or settings.identity_provider != "development":
        return UnconfiguredIdentityProvider()
    return DevelopmentIdentityProvider()


def sms_gateway(settings: Settings, clock: Clock) -> SmsGateway:
    """``OPCERT_SMS_GATEWAY``: the /dev/outbox page (never in production), an HTTP relay, or
    none (codes refused clearly)."""
    if settings.sms_gateway == "http" and settings.sms_gateway_url and settings.sms_gateway_token:
        return HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token)
    if settings.sms_gateway == "development" and settings.env != "production":
        return DevelopmentSmsOutbox(clock)
    return UnconfiguredSmsGateway()


def notifiers(settings: Settings, sms: SmsGateway) -> dict[str, Notifier]:
    """The reminders' channels: email over SMTP when ``OPCERT_SMTP_HOST`` is set, SMS through a
    real gateway (``http``). A channel left out keeps its reminders queued: the development
    outbox of a one-off ``opcert reminders run`` process would lose them."""
    channels: dict[str, Notifier] = {}
    if settings.smtp_host:
        channels["email"] = SmtpNotifier(
            settings.smtp_host, settings.smtp_port, settings.smtp_sender
        )
    if isinstance(sms, HttpSmsGateway):
        channels["sms"] = SmsNotifier(sms)
    return channels


def production_problems(settings: Settings) -> list[str]:
    """Every reason production refuses to run: the settings (``Settings.production_problems``),
    then demo or synthetic data in the database. [] outside production. Nothing is written: a
    SQLite file that does not exist is not created."""
    problems = settings.production_problems()
    if settings.env != "production" or not database_exists(settings.resolved_database_url):
        return problems
    engine = make_engine(settings.resolved_database_url, pool_size=1)
    try:
        return problems + fake_data_problems(engine)
    finally:
        engine.dispose()


def fake_data_problems(engine: Engine) -> list[str]:
    """Traces of demo or synthetic data in the database (``services.production``); a database
    that cannot be reached is a problem too, since then nobody knows."""
    try:
        tables = table_names(engine)
        return production.fake_data_traces(UnitOfWorkFactory(engine, read_only=True), tables)
    except Exception as error:  # any driver error: refusing is the safe answer
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return [
            f"无法连接数据库以检查演示数据 / cannot reach the database to check for demo data: "
            f"{reason}"
        ]


def session_store(settings: Settings, engine: Engine) -> SessionStore:
    """Sessions and login challenges: in Redis where ``OPCERT_REDIS_URL`` is set, else in the
    database. Either way every app process over the same store sees the same sessions."""
    if settings.redis_url:
        return RedisSessionStore.from_url(settings.redis_url, f"{settings.redis_key_prefix}:")
    return DatabaseSessionStore.for_engine(engine)


def _hsm(settings: Settings) -> Pkcs11Token | None:
    """The PKCS#11 token new keys go to, when ``OPCERT_SIGNER=pkcs11``; opened on first use."""
    if settings.signer != "pkcs11":
        return None
    if not (settings.pkcs11_module and settings.pkcs11_token_label and settings.pkcs11_pin):
        raise ValueError(
            "OPCERT_SIGNER=pkcs11 needs OPCERT_PKCS11_MODULE, OPCERT_PKCS11_TOKEN_LABEL and "
            "OPCERT_PKCS11_PIN"
        )
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
        if platform.settings.env == "production":
            production.mark_production(uow, ctx.now())
        uow.commit()
    restrict_tree(platform.settings.data_dir)
    return created


def schema_ready(platform: Platform) -> bool:
    """True when the database's schema is the one this code migrates to. Raises the driver's
    error when the database cannot be reached (see ``explain_database_failure``)."""
    return schema_is_current(platform.engine)


def explain_database_failure(error: BaseException) -> str | None:
    """One line (Chinese / English) for an error the database raised; None for any other."""
    return database_failure(error)
