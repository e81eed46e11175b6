"""Reminder candidates, recipients and the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    Certificate,
    Employer,
    ExamResult,
    HolderContact,
    Person,
    Registration,
    ReminderRow,
)


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def candidates(self, start: date, end: date) -> Sequence[Certificate]:
        """Active certificates with a review due or a validity end in [start, end]."""
        query = select(Certificate).where(
            Certificate.state == "active",
            or_(
                Certificate.review_due_on.between(start, end),
                Certificate.valid_to.between(start, end),
            ),
        )
        return self.session.scalars(query.order_by(Certificate.id)).all()

    def holder_contact(self, id_number: str) -> tuple[str | None, str | None]:
        """(email, phone) of a holder for reminders: the registered contact first, the holder's
        verified phone next, then the phone of the latest exam result (an institution's word,
        good enough for a reminder, never a login channel)."""
        contact = self.session.get(HolderContact, id_number)
        person = self.session.scalar(select(Person).where(Person.id_number == id_number))
        phone = (contact.phone if contact else None) or (person.phone if person else None)
        if phone is None:
            phone = self.session.scalar(
                select(ExamResult.phone)
                .where(ExamResult.id_number == id_number, ExamResult.phone.is_not(None))
                .order_by(ExamResult.received_at.desc(), ExamResult.id.desc())
                .limit(1)
            )
        return (contact.email if contact else None), phone

    def employers_of(self, id_number: str) -> Sequence[Employer]:
        query = (
            select(Employer)
            .join(Registration, Registration.employer_id == Employer.id)
            .where(Registration.id_number == id_number)
        )
        return self.session.scalars(query.order_by(Employer.id)).all()

    def employer(self, code: str) -> Employer | None:
        return self.session.scalar(select(Employer).where(Employer.code == code))

    def exists(self, key: str) -> bool:
        return self.session.scalar(select(ReminderRow.id).where(ReminderRow.key == key)) is not None

    def claimable(self, stale_before: datetime, limit: int) -> Sequence[ReminderRow]:
        """Pending reminders, and claimed ones whose claim is older than the lease (a sender that
        crashed after claiming), locked so that two senders never take the same row."""
        query = (
            select(ReminderRow)
            .where(
                or_(
                    ReminderRow.status == "pending",
                    (ReminderRow.status == "claimed") & (ReminderRow.claimed_at < stale_before),
                )
            )
            .order_by(ReminderRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self.session.scalars(query).all()

    def get(self, reminder_id: int) -> ReminderRow | None:
        return self.session.get(ReminderRow, reminder_id)

    def all(self) -> Sequence[ReminderRow]:
        return self.session.scalars(select(ReminderRow).order_by(ReminderRow.id)).all()
