"""SQLAlchemy 2 tables. Importing this package registers every table on ``Base.metadata``."""

from opcert.persistence.models.analytics import AnalyticsRun, AnalyticsSignal
from opcert.persistence.models.base import Base
from opcert.persistence.models.certificates import (
    Ban,
    Certificate,
    CredentialVersion,
    StatusListBitsRow,
    StatusListRow,
)
from opcert.persistence.models.intake import Application, ExamResult, Person
from opcert.persistence.models.keys import SigningKeyRow
from opcert.persistence.models.ledger import LedgerCheckpoint, LedgerEntry, LedgerHead
from opcert.persistence.models.registry import (
    ApiKey,
    Authority,
    ExamPoint,
    Institution,
    InstitutionUser,
    Officer,
)
from opcert.persistence.models.reports import Clue, IdentityReview

__all__ = [
    "AnalyticsRun",
    "AnalyticsSignal",
    "ApiKey",
    "Application",
    "Authority",
    "Ban",
    "Base",
    "Certificate",
    "Clue",
    "CredentialVersion",
    "ExamPoint",
    "ExamResult",
    "IdentityReview",
    "Institution",
    "InstitutionUser",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerHead",
    "Officer",
    "Person",
    "SigningKeyRow",
    "StatusListBitsRow",
    "StatusListRow",
]

# Certificate lifecycle (issue 5): imported for their tables.
from opcert.persistence.models.lifecycle import (
    Cancellation,
    CertificateEvent,
    LegacyCard,
    RenewalApplication,
    ReviewRow,
)
from opcert.persistence.models.reminders import (
    Employer,
    HolderContact,
    Registration,
    ReminderRow,
)

__all__ += [
    "Cancellation",
    "CertificateEvent",
    "Employer",
    "HolderContact",
    "LegacyCard",
    "Registration",
    "ReminderRow",
    "RenewalApplication",
    "ReviewRow",
]

# Synthetic national data (issue 6): the injected anomalies' ground truth.
from opcert.persistence.models.synth import SyntheticAnomaly  # noqa: E402

__all__ += ["SyntheticAnomaly"]

# Sessions that end (issue 12): server-side sessions and holders' login challenges.
from opcert.persistence.models.sessions import (  # noqa: E402
    KeptFileRow,
    LoginChallengeRow,
    SessionRow,
)

__all__ += ["KeptFileRow", "LoginChallengeRow", "SessionRow"]

# The transparency log of issuance (issue 13).
from opcert.persistence.models.tlog import LogCheckpoint, LogEntry, LogHead, LogTile  # noqa: E402

__all__ += ["LogCheckpoint", "LogEntry", "LogHead", "LogTile"]

# --- holds ---
# Exam-data integrity (issue 16): the exam-point register and issuance holds.
from opcert.persistence.models.exam_integrity import (  # noqa: E402
    ExamDataHold,
    ExamPointAccreditation,
)

__all__ += ["ExamDataHold", "ExamPointAccreditation"]
# --- letters ---
# Reminder letters to provinces about exam-data signals, and their replies (issue 16).
from opcert.persistence.models.letters import (  # noqa: E402
    ReminderLetter,
    ReminderLetterReply,
    ReminderLetterSignal,
)

__all__ += ["ReminderLetter", "ReminderLetterReply", "ReminderLetterSignal"]

# Data sharing (issue 17): the event outbox, subscribers, rosters, deliveries, feedback.
from opcert.persistence.models.sharing import (  # noqa: E402
    Delivery,
    Feedback,
    RosterWorker,
    SharingEvent,
    Subscriber,
)

__all__ += ["Delivery", "Feedback", "RosterWorker", "SharingEvent", "Subscriber"]
