"""Public halves and metadata of signing keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from opcert.persistence.models import SigningKeyRow

# One aggregate row: any added key changes the count, any change of state moves a key between
# the per-state counts and stamps a time. Built once: it is read on every online verification.
_FINGERPRINT = select(
    func.count(SigningKeyRow.kid),
    func.max(
        func.coalesce(SigningKeyRow.revoked_at, SigningKeyRow.retired_at, SigningKeyRow.created_at)
    ),
    *(
        func.sum(case((SigningKeyRow.status == state, 1), else_=0))
        for state in ("active", "retired", "revoked")
    ),
)


class KeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: SigningKeyRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, kid: str) -> SigningKeyRow | None:
        return self.session.get(SigningKeyRow, kid)

    def all(self) -> Sequence[SigningKeyRow]:
        query = select(SigningKeyRow).order_by(SigningKeyRow.issuer, SigningKeyRow.created_at)
        return self.session.scalars(query).all()

    def active_for(self, issuer: str) -> SigningKeyRow | None:
        query = (
            select(SigningKeyRow)
            .where(SigningKeyRow.issuer == issuer, SigningKeyRow.status == "active")
            .order_by(SigningKeyRow.created_at.desc())
        )
        return self.session.scalars(query).first()

    def fingerprint(self) -> tuple[int, str]:
        """A cheap value that changes whenever any key is added or changes state."""
        count, latest, active, retired, revoked = self.session.execute(_FINGERPRINT).one()
        return int(count), f"{latest}|{active}|{retired}|{revoked}"
