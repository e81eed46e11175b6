"""Reminder letters (issue 16): the run and signals a letter is drawn from, where each unit lies,
and the letters, their signals and replies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    AnalyticsRun,
    AnalyticsSignal,
    ExamPoint,
    Institution,
    ReminderLetter,
    ReminderLetterReply,
    ReminderLetterSignal,
)


class LetterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    def latest_run_covering(self, first: date, last: date) -> AnalyticsRun | None:
        """The most recent run whose span holds every day from ``first`` to ``last``."""
        return self.session.scalars(
            select(AnalyticsRun)
            .where(AnalyticsRun.date_from <= first, AnalyticsRun.date_to >= last)
            .order_by(AnalyticsRun.finished_at.desc(), AnalyticsRun.id.desc())
            .limit(1)
        ).first()

    def signals_of(self, run_id: int, period: str) -> list[AnalyticsSignal]:
        return list(
            self.session.scalars(
                select(AnalyticsSignal)
                .where(AnalyticsSignal.run_id == run_id, AnalyticsSignal.period == period)
                .order_by(AnalyticsSignal.q_value, AnalyticsSignal.id)
            )
        )

    def exam_point_regions(self, codes: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(ExamPoint.code, ExamPoint.region).where(ExamPoint.code.in_(wanted))
        )
        return {code: region for code, region in rows}

    def institution_regions(self, codes: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Institution.code, Institution.region).where(Institution.code.in_(wanted))
        )
        return {code: region for code, region in rows}

    def latest_letter(self, province: str, period: str) -> ReminderLetter | None:
        return self.session.scalars(
            select(ReminderLetter)
            .where(ReminderLetter.province == province, ReminderLetter.period == period)
            .order_by(ReminderLetter.revision.desc())
            .limit(1)
        ).first()

    def next_serial(self, year: int) -> int:
        top = self.session.scalar(
            select(func.max(ReminderLetter.serial)).where(ReminderLetter.year == year)
        )
        return int(top or 0) + 1

    def letter(self, letter_id: int) -> ReminderLetter | None:
        return self.session.get(ReminderLetter, letter_id)

    def letter_number(self, letter_id: int) -> str | None:
        return self.session.scalar(
            select(ReminderLetter.number).where(ReminderLetter.id == letter_id)
        )

    def letters(self, province_prefix: str, limit: int = 200) -> list[ReminderLetter]:
        """The newest letters to provinces whose code starts with ``province_prefix``."""
        query = select(ReminderLetter)
        if province_prefix:
            query = query.where(ReminderLetter.province.startswith(province_prefix))
        return list(
            self.session.scalars(
                query.order_by(ReminderLetter.issued_at.desc(), ReminderLetter.id.desc()).limit(
                    limit
                )
            )
        )

    def superseded_ids(self, letter_ids: Sequence[int]) -> set[int]:
        if not letter_ids:
            return set()
        return set(
            self.session.scalars(
                select(ReminderLetter.supersedes_id).where(
                    ReminderLetter.supersedes_id.in_(list(letter_ids))
                )
            )
        )

    def letter_signals(self, letter_id: int) -> list[ReminderLetterSignal]:
        return list(
            self.session.scalars(
                select(ReminderLetterSignal)
                .where(ReminderLetterSignal.letter_id == letter_id)
                .order_by(ReminderLetterSignal.position)
            )
        )

    def letter_signal(self, letter_id: int, position: int) -> ReminderLetterSignal | None:
        return self.session.scalars(
            select(ReminderLetterSignal).where(
                ReminderLetterSignal.letter_id == letter_id,
                ReminderLetterSignal.position == position,
            )
        ).first()

    def replies(self, signal_ids: Sequence[int]) -> list[ReminderLetterReply]:
        if not signal_ids:
            return []
        return list(
            self.session.scalars(
                select(ReminderLetterReply)
                .where(ReminderLetterReply.signal_id.in_(list(signal_ids)))
                .order_by(ReminderLetterReply.replied_at, ReminderLetterReply.id)
            )
        )

    def replied_counts(self, letter_ids: Sequence[int]) -> dict[int, int]:
        """Per letter, how many of its signals have at least one reply."""
        if not letter_ids:
            return {}
        rows = self.session.execute(
            select(
                ReminderLetterSignal.letter_id,
                func.count(func.distinct(ReminderLetterReply.signal_id)),
            )
            .join(ReminderLetterReply, ReminderLetterReply.signal_id == ReminderLetterSignal.id)
            .where(ReminderLetterSignal.letter_id.in_(list(letter_ids)))
            .group_by(ReminderLetterSignal.letter_id)
        )
        return {int(letter): int(n) for letter, n in rows}
