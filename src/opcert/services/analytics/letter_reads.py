"""Reading reminder letters (decision 0027): the list an officer may see, one letter with its
signals and replies, and its PDF as issued. Scope: an officer sees a letter when their division
covers the letter's province (national, or that province); otherwise ``NotFound``, like an
unknown id. Inspectors may not read letters (``Forbidden``, before any look-up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from opcert.domain.clock import SHANGHAI, local_date
from opcert.domain.divisions import province_name
from opcert.domain.errors import NotFound
from opcert.persistence.models import ReminderLetter, ReminderLetterSignal
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal


class ReplyKind(StrEnum):
    RECTIFIED = "rectified"
    EXPLAINED = "explained"
    NO_ISSUE = "no_issue"


REPLY_NAMES = {
    ReplyKind.RECTIFIED: ("已整改", "Rectified"),
    ReplyKind.EXPLAINED: ("情况说明", "Explained"),
    ReplyKind.NO_ISSUE: ("经核查无问题", "No issue found"),
}


@dataclass(frozen=True)
class LetterSummary:
    id: int
    number: str
    province: str
    province_name: str
    period: str
    revision: int
    issued_at: datetime
    issued_on: date  # Beijing date
    reply_due_on: date
    reply_due_provisional: bool
    signals: int
    replied: int
    superseded: bool
    pdf_sha256: str
    created: bool = False  # issued by this call (False: the same letter, already sent)


@dataclass(frozen=True)
class ReplyView:
    kind: str
    kind_zh: str
    kind_en: str
    text: str
    officer: str
    replied_at: datetime

    @property
    def beijing_time(self) -> str:
        return self.replied_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class SignalView:
    position: int
    signal_id: int
    unit_type: str
    unit: str
    kind: str
    period: str
    explanation_zh: str
    explanation_en: str
    observed: float
    reference: float
    effect: float
    p_value: float
    q_value: float
    replies: list[ReplyView]


@dataclass(frozen=True)
class LetterDetail:
    letter: LetterSummary
    signals: list[SignalView]
    supersedes: str | None
    may_reply: bool


def summarise(
    uow: UnitOfWork,
    letter: ReminderLetter,
    *,
    created: bool = False,
    replied: int | None = None,
    superseded: bool | None = None,
) -> LetterSummary:
    return LetterSummary(
        id=letter.id,
        number=letter.number,
        province=letter.province,
        province_name=province_name(letter.province) or letter.province,
        period=letter.period,
        revision=letter.revision,
        issued_at=letter.issued_at,
        issued_on=local_date(letter.issued_at),
        reply_due_on=letter.reply_due_on,
        reply_due_provisional=letter.reply_due_provisional,
        signals=len(uow.letters.letter_signals(letter.id)),
        replied=replied
        if replied is not None
        else uow.letters.replied_counts([letter.id]).get(letter.id, 0),
        superseded=superseded
        if superseded is not None
        else bool(uow.letters.superseded_ids([letter.id])),
        pdf_sha256=letter.pdf_sha256,
        created=created,
    )


def _scope(officer: OfficerPrincipal | None) -> str:
    """The province-code prefix an officer sees letters for ('' for all)."""
    if officer is None:
        return ""
    officer.require(Action.READ_LETTERS)
    return officer.region_prefix[:2] if officer.region_prefix else ""


def visible_letter(
    officer: OfficerPrincipal | None, letter: ReminderLetter | None
) -> ReminderLetter:
    unknown = NotFound("LETTER_NOT_FOUND", "没有这份提醒函", "no such reminder letter")
    if letter is None:
        raise unknown
    if officer is not None and not officer.covers(letter.province):
        raise unknown  # a city officer's prefix is 4 digits: the province's letter is not theirs
    return letter


def letters(ctx: ServiceContext, officer: OfficerPrincipal | None) -> list[LetterSummary]:
    """The letters the officer may see, newest first."""
    prefix = _scope(officer)
    with ctx.uow() as uow:
        rows = [
            r for r in uow.letters.letters(prefix) if officer is None or officer.covers(r.province)
        ]
        ids = [r.id for r in rows]
        replied = uow.letters.replied_counts(ids)
        superseded = uow.letters.superseded_ids(ids)
        return [
            summarise(uow, r, replied=replied.get(r.id, 0), superseded=r.id in superseded)
            for r in rows
        ]


def may_reply(officer: OfficerPrincipal | None, province: str) -> bool:
    """Only a province-level officer of the letter's province, whose role may reply."""
    return officer is not None and officer.may(Action.REPLY_LETTERS) and officer.region == province


def letter(ctx: ServiceContext, officer: OfficerPrincipal | None, letter_id: int) -> LetterDetail:
    _scope(officer)
    with ctx.uow() as uow:
        row = visible_letter(officer, uow.letters.letter(letter_id))
        signals = uow.letters.letter_signals(row.id)
        replies: dict[int, list[ReplyView]] = {}
        for r in uow.letters.replies([s.id for s in signals]):
            zh, en = REPLY_NAMES[ReplyKind(r.kind)]
            replies.setdefault(r.signal_id, []).append(
                ReplyView(r.kind, zh, en, r.text, r.officer, r.replied_at)
            )
        views = [_signal_view(s, replies.get(s.id, [])) for s in signals]
        previous = uow.letters.letter_number(row.supersedes_id) if row.supersedes_id else None
        return LetterDetail(summarise(uow, row), views, previous, may_reply(officer, row.province))


def _signal_view(s: ReminderLetterSignal, replies: list[ReplyView]) -> SignalView:
    return SignalView(
        s.position,
        s.signal_id,
        s.unit_type,
        s.unit,
        s.kind,
        s.period,
        s.explanation_zh,
        s.explanation_en,
        s.observed,
        s.reference,
        s.effect,
        s.p_value,
        s.q_value,
        replies,
    )


def letter_pdf(
    ctx: ServiceContext, officer: OfficerPrincipal | None, letter_id: int
) -> tuple[str, bytes]:
    """The file name and the PDF exactly as issued (its SHA-256 is in the ledger)."""
    _scope(officer)
    with ctx.uow() as uow:
        row = visible_letter(officer, uow.letters.letter(letter_id))
        return f"reminder-letter-{row.province}-{row.period}-r{row.revision}.pdf", row.pdf
