"""The unit of work: one session, one transaction, rolled back unless the service commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from opcert.persistence.repositories.analytics import AnalyticsRepository
from opcert.persistence.repositories.analytics_views import AnalyticsViewRepository  # pages
from opcert.persistence.repositories.applications import ApplicationRepository
from opcert.persistence.repositories.certificates import CertificateRepository
from opcert.persistence.repositories.clues import ClueRepository
from opcert.persistence.repositories.deliveries import DeliveryRepository  # --- sharing ---
from opcert.persistence.repositories.exam_integrity import (  # --- holds ---
    AccreditationRepository,
    HoldRepository,
)
from opcert.persistence.repositories.identity_reviews import IdentityReviewRepository
from opcert.persistence.repositories.keys import KeyRepository
from opcert.persistence.repositories.ledger import LedgerRepository
from opcert.persistence.repositories.letters import LetterRepository  # --- letters ---
from opcert.persistence.repositories.lifecycle import LifecycleRepository
from opcert.persistence.repositories.persons import PersonRepository
from opcert.persistence.repositories.registry import RegistryRepository
from opcert.persistence.repositories.reminders import ReminderRepository
from opcert.persistence.repositories.results import ExamResultRepository
from opcert.persistence.repositories.sharing import SharingRepository  # --- sharing ---
from opcert.persistence.repositories.synth import SynthRepository
from opcert.persistence.repositories.tlog import LogRepository


class ConcurrentWriteConflict(Exception):
    """Another transaction wrote the same unique key first; the caller may retry row by row."""


class UnitOfWork:
    """Use as ``with uow_factory() as uow: ...; uow.commit()``. Leaving without commit rolls back."""

    session: Session

    def __init__(self, factory: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._factory = factory
        self.read_only = read_only

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.registry = RegistryRepository(self.session)
        self.persons = PersonRepository(self.session)
        self.results = ExamResultRepository(self.session)
        self.applications = ApplicationRepository(self.session)
        self.clues = ClueRepository(self.session)
        self.identity_reviews = IdentityReviewRepository(self.session)
        self.certificates = CertificateRepository(self.session)
        self.keys = KeyRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.lifecycle = LifecycleRepository(self.session)
        self.reminders = ReminderRepository(self.session)
        self.synth = SynthRepository(self.session)
        self.log = LogRepository(self.session)
        self.analytics = AnalyticsRepository(self.session)
        # --- holds ---
        self.accreditations = AccreditationRepository(self.session)
        self.holds = HoldRepository(self.session)
        # --- letters ---
        self.letters = LetterRepository(self.session)
        # --- pages ---
        self.analytics_views = AnalyticsViewRepository(self.session)
        # --- sharing ---
        self.sharing = SharingRepository(self.session)
        self.deliveries = DeliveryRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()
        if _lost_a_race(exc):
            # Another transaction wrote the same key first, or the two deadlocked: the caller may
            # retry from the start. Services never see SQLAlchemy's exception types.
            raise ConcurrentWriteConflict(str(getattr(exc, "orig", exc))) from exc

    def begin_write(self) -> None:
        """Declare that this unit of work writes: on SQLite it takes the write lock now, so the
        reads that decide what to write stay true until commit; PostgreSQL needs nothing."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot write")
        if self.dialect == "sqlite":
            self.session.connection(execution_options={"sqlite_immediate": True})

    def ping(self) -> bool:
        """Run a trivial query; raises the driver's error when the database does not answer."""
        return self.session.execute(text("SELECT 1")).scalar() == 1

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as error:
            self.session.rollback()
            raise ConcurrentWriteConflict(str(error.orig)) from error

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot write")
        try:
            self.session.commit()
        except IntegrityError as error:
            self.session.rollback()
            raise ConcurrentWriteConflict(str(error.orig)) from error

    def rollback(self) -> None:
        self.session.rollback()


def _lost_a_race(exc: BaseException | None) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "deadlock" in str(exc).lower()


class UnitOfWorkFactory:
    """Units of work on ``engine``. ``read_only=True`` gives the public read paths (query,
    verify) PostgreSQL connections in autocommit: a single consistent ``SELECT`` needs no
    ``BEGIN``/``ROLLBACK``, two of a public query's four round trips. SQLite reads are local
    and keep the ordinary transactions."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        bind = engine
        if read_only and engine.dialect.name == "postgresql":
            bind = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._sessions = sessionmaker(bind, expire_on_commit=False)

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, read_only=self.read_only)
