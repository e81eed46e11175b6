"""SQLAlchemy 2 tables. Importing this package registers every table on ``Base.metadata``."""

from opcert.persistence.models.base import Base
from opcert.persistence.models.certificates import (
    Ban,
    Certificate,
    CredentialVersion,
    StatusListRow,
)
from opcert.persistence.models.intake import Application, ExamResult, Person
from opcert.persistence.models.keys import SigningKeyRow
from opcert.persistence.models.ledger import LedgerEntry, LedgerHead
from opcert.persistence.models.reports import Clue, IdentityReview
from opcert.persistence.models.registry import (
    ApiKey,
    Authority,
    ExamPoint,
    Institution,
    Officer,
    OfficerToken,
)

__all__ = [
    "ApiKey",
    "Application",
    "Authority",
    "Ban",
    "Clue",
    "Base",
    "Certificate",
    "CredentialVersion",
    "ExamPoint",
    "ExamResult",
    "IdentityReview",
    "Institution",
    "LedgerEntry",
    "LedgerHead",
    "Officer",
    "OfficerToken",
    "Person",
    "SigningKeyRow",
    "StatusListRow",
]
