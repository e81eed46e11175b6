"""Reminder letters (提醒函, issue 16; decision 0027): one letter per province with signals in a
closed month, drawn from the latest analysis run covering that month; the province's reply to
each signal. Both are ledger entries (``analytics.letter.issued``, ``analytics.letter.replied``).

Issuing is idempotent per (province, month): while the province's signals of the month are the
same set (unit type, unit, kind, period), issuing again returns the letter already sent. When a
later run finds a different set, a new revision is issued under a new number and names the
letter it supersedes; the earlier letter and its replies stay as they were.

Who: national analysts and admins issue (``Action.ISSUE_LETTERS``, national division only);
officers whose division covers the province read them; a province-level officer of that
province with ``Action.REPLY_LETTERS`` replies. A letter outside the officer's scope is
``NotFound``, exactly like an unknown id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

from opcert.documents import reminder_letter
from opcert.domain.divisions import province_name
from opcert.domain.errors import Conflict, FieldError, Forbidden, NotFound
from opcert.domain.workdays import add_workdays, deadline_is_provisional, is_workday
from opcert.persistence.models import (
    AnalyticsSignal,
    ReminderLetter,
    ReminderLetterReply,
    ReminderLetterSignal,
)
from opcert.persistence.unit_of_work import ConcurrentWriteConflict, UnitOfWork
from opcert.services.analytics.letter_figures import funnels_for, letter_signal, parse_period
from opcert.services.analytics.letter_reads import (
    REPLY_NAMES,
    LetterDetail,
    LetterSummary,
    ReplyKind,
    ReplyView,
    SignalView,
    letter,
    letter_pdf,
    letters,
    may_reply,
    summarise,
    visible_letter,
)
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.ledger import LedgerEvent, append
from opcert.services.kernel.principals import NATIONAL, Action, OfficerPrincipal

__all__ = [
    "REPLY_NAMES",
    "LetterDetail",
    "LetterSummary",
    "ReplyKind",
    "ReplyView",
    "SignalView",
    "issue_letters",
    "letter",
    "letter_pdf",
    "letters",
    "may_reply",
    "reply",
]
CONSOLE = "cli:operator"
REPLY_WORKDAYS = 10  # 收函之日起 10 个工作日内回复
ISSUE_ATTEMPTS = 3
MAX_REPLY = 2000  # characters of a reply's text
MUNICIPALITIES = {"11", "12", "31", "50"}  # their department is a 局, not a 厅


def addressee(province: str) -> str:
    name = province_name(province) or province
    return f"{name}应急管理{'局' if province[:2] in MUNICIPALITIES else '厅'}"


def _digest(signals: Sequence[AnalyticsSignal]) -> str:
    keys = sorted(f"{s.unit_type}|{s.unit}|{s.kind}|{s.period}" for s in signals)
    return hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()


def _require_issuer(officer: OfficerPrincipal | None) -> str:
    if officer is None:
        return CONSOLE
    officer.require(Action.ISSUE_LETTERS)
    if officer.region != NATIONAL:
        raise Forbidden(
            "LETTERS_NATIONAL_ONLY",
            "提醒函由国家级工作人员发出，省、市工作人员不能发函",
            "reminder letters are issued by national officers only",
        )
    return officer.actor


def issue_letters(
    ctx: ServiceContext, period: str, officer: OfficerPrincipal | None = None
) -> list[LetterSummary]:
    """Issue (or find) the letter of every province with signals in ``period`` (YYYY-MM).

    Raises ``Forbidden`` for an officer who may not issue, ``FieldError`` on ``period`` when it is
    not a month, not yet over, not covered by any run, or its signals are provisional. An empty
    list: the run found no signal in that month."""
    actor = _require_issuer(officer)
    first, last = parse_period(period)
    today = ctx.today()
    if last >= today:
        raise FieldError(
            "period",
            "PERIOD_OPEN",
            f"{period} 尚未结束，提醒函只针对已结束的月份",
            f"{period} is not over yet: letters are issued for closed months only",
        )
    month = f"{first.year}-{first.month:02d}"
    for attempt in range(ISSUE_ATTEMPTS):
        try:
            return _issue_once(ctx, actor, month, first, last)
        except ConcurrentWriteConflict:
            # Another issuer took the same serial or the same (province, month, revision)
            # first (PostgreSQL; SQLite's write lock serialises issuers): read again; the
            # letters it made are then found and returned.
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _issue_once(
    ctx: ServiceContext, actor: str, month: str, first: date, last: date
) -> list[LetterSummary]:
    with ctx.uow() as uow:
        uow.begin_write()
        signals = _period_signals(uow, month, first, last)
        by_province = _by_province(uow, signals)
        done: list[LetterSummary] = []
        rows = None
        for province in sorted(by_province):
            chosen = by_province[province]
            latest = uow.letters.latest_letter(province, month)
            if latest is not None and latest.signals_digest == _digest(chosen):
                done.append(summarise(uow, latest, created=False))
                continue
            if rows is None:
                rows = uow.analytics.monthly_counts(first, last, _days_off(first, last))
            letter = _new_letter(ctx, uow, actor, province, month, chosen, latest, rows)
            done.append(summarise(uow, letter, created=True))
        uow.commit()
    return done


def _period_signals(uow: UnitOfWork, month: str, first: date, last: date) -> list[AnalyticsSignal]:
    run = uow.letters.latest_run_covering(first, last)
    if run is None:
        raise FieldError(
            "period",
            "NO_ANALYSIS_RUN",
            f"没有覆盖 {month} 的分析运行，请先运行 opcert analytics run",
            f"no analysis run covers {month}: run `opcert analytics run` first",
        )
    signals = uow.letters.signals_of(run.id, month)
    if any(s.provisional for s in signals):
        raise FieldError(
            "period",
            "SIGNALS_PROVISIONAL",
            f"最近一次分析运行时 {month} 尚未结束，信号为暂定：请重新运行分析后再发函",
            f"{month} was not over at the latest run, its signals are provisional: run the "
            "analysis again first",
        )
    return signals


def _by_province(
    uow: UnitOfWork, signals: Sequence[AnalyticsSignal]
) -> dict[str, list[AnalyticsSignal]]:
    points = uow.letters.exam_point_regions(s.unit for s in signals if s.unit_type == "exam_point")
    bodies = uow.letters.institution_regions(
        s.unit for s in signals if s.unit_type == "institution"
    )
    grouped: dict[str, list[AnalyticsSignal]] = {}
    for s in signals:
        region = {"exam_point": points, "institution": bodies}.get(s.unit_type, {}).get(
            s.unit, s.unit if s.unit_type in ("province", "city") else None
        )
        if region:
            grouped.setdefault(region[:2] + "0000", []).append(s)
    return grouped


def _days_off(first: date, last: date) -> list[date]:
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    return [d for d in days if not is_workday(d)]


def _new_letter(
    ctx: ServiceContext,
    uow: UnitOfWork,
    actor: str,
    province: str,
    month: str,
    signals: Sequence[AnalyticsSignal],
    previous: ReminderLetter | None,
    rows: Sequence[object],
) -> ReminderLetter:
    now, today = ctx.now(), ctx.today()
    serial = uow.letters.next_serial(today.year)
    due = add_workdays(today, REPLY_WORKDAYS)
    letter = ReminderLetter(
        number=f"应急考提〔{today.year}〕第 {serial:04d} 号",
        year=today.year,
        serial=serial,
        province=province,
        period=month,
        revision=(previous.revision + 1) if previous else 1,
        supersedes_id=previous.id if previous else None,
        run_id=signals[0].run_id,
        signals_digest=_digest(signals),
        issued_at=now,
        issued_by=actor,
        reply_due_on=due,
        reply_due_provisional=deadline_is_provisional(today, due),
        pdf=b"",
        pdf_sha256="",
    )
    uow.letters.add(letter)
    uow.flush()
    for position, s in enumerate(signals, start=1):
        uow.letters.add(_copy(letter.id, position, s))
    letter.pdf = _render(ctx, today, letter, signals, rows, previous)
    letter.pdf_sha256 = hashlib.sha256(letter.pdf).hexdigest()
    uow.flush()
    append(
        uow,
        [
            LedgerEvent(
                at=now,
                actor=actor,
                kind="analytics.letter.issued",
                subject=letter.number,
                data={
                    "letter_id": letter.id,
                    "province": province,
                    "period": month,
                    "revision": letter.revision,
                    "supersedes": previous.number if previous else None,
                    "run_id": letter.run_id,
                    "signal_ids": [s.id for s in signals],
                    "reply_due_on": due.isoformat(),
                    "pdf_sha256": letter.pdf_sha256,
                },
            )
        ],
    )
    return letter


def _render(
    ctx: ServiceContext,
    today: date,
    letter: ReminderLetter,
    signals: Sequence[AnalyticsSignal],
    rows: Sequence[object],
    previous: ReminderLetter | None,
) -> bytes:
    """The letter's PDF: its signals, their funnels, and the page where the province replies."""
    view = reminder_letter.LetterView(
        number=letter.number,
        issued_on=today,  # the day its number was given, even across midnight
        addressee=addressee(letter.province),
        province_name=province_name(letter.province) or letter.province,
        period=letter.period,
        signals=[letter_signal(position, s) for position, s in enumerate(signals, start=1)],
        reply_due_on=letter.reply_due_on,
        reply_workdays=REPLY_WORKDAYS,
        reply_due_provisional=letter.reply_due_provisional,
        reply_url=f"{ctx.base_url.rstrip('/')}/officer/analytics/letters/{letter.id}",
        funnels=funnels_for(rows, letter.province, letter.period, signals),  # type: ignore[arg-type]
        supersedes=previous.number if previous else None,
    )
    return reminder_letter.render(view)


def _copy(letter_id: int, position: int, s: AnalyticsSignal) -> ReminderLetterSignal:
    return ReminderLetterSignal(
        letter_id=letter_id,
        position=position,
        signal_id=s.id,
        unit_type=s.unit_type,
        unit=s.unit,
        kind=s.kind,
        period=s.period,
        statistic=s.statistic,
        p_value=s.p_value,
        q_value=s.q_value,
        effect=s.effect,
        observed=s.observed,
        reference=s.reference,
        explanation_zh=s.explanation_zh,
        explanation_en=s.explanation_en,
    )


def _answerable(uow: UnitOfWork, officer: OfficerPrincipal, letter_id: int) -> ReminderLetter:
    """The letter ``officer`` may answer: in scope, of the officer's own province level, and not
    superseded by a revision."""
    row = visible_letter(officer, uow.letters.letter(letter_id))
    if not may_reply(officer, row.province):
        raise Forbidden(
            "LETTER_REPLY_PROVINCE_ONLY",
            "提醒函由被提醒省份的省级发证机关回复",
            "a letter is answered by its province's own provincial officers",
        )
    if uow.letters.superseded_ids([row.id]):
        raise Conflict(
            "LETTER_SUPERSEDED",
            "本函已被修订函取代，请在新函上回复",
            "this letter was superseded by a revision: reply on the new letter",
        )
    return row


def reply(
    ctx: ServiceContext,
    officer: OfficerPrincipal,
    letter_id: int,
    position: int,
    kind: str,
    text: str,
) -> None:
    """Record the province's answer about signal ``position`` of the letter.

    Raises ``Forbidden`` when the role may not reply, ``NotFound`` for a letter or signal outside
    the officer's scope, ``Forbidden`` for an officer in scope who is not of the province's own
    level, ``ValidationFailed``/``FieldError`` naming ``kind`` or ``text``."""
    officer.require(Action.REPLY_LETTERS)
    chosen = _reply_kind(kind)
    words = _reply_text(text)
    with ctx.uow() as uow:
        uow.begin_write()
        row = _answerable(uow, officer, letter_id)
        signal = uow.letters.letter_signal(row.id, position)
        if signal is None:
            raise NotFound("LETTER_SIGNAL_NOT_FOUND", "提醒函中没有这一项", "no such item")
        now = ctx.now()
        uow.letters.add(
            ReminderLetterReply(
                signal_id=signal.id, kind=chosen, text=words, officer=officer.actor, replied_at=now
            )
        )
        append(
            uow,
            [
                LedgerEvent(
                    at=now,
                    actor=officer.actor,
                    kind="analytics.letter.replied",
                    subject=row.number,
                    data={
                        "letter_id": row.id,
                        "position": position,
                        "signal_id": signal.signal_id,
                        "unit_type": signal.unit_type,
                        "unit": signal.unit,
                        "kind": str(chosen),
                        "text": words,
                    },
                )
            ],
        )
        uow.commit()


def _reply_kind(kind: str) -> ReplyKind:
    try:
        return ReplyKind(kind.strip())
    except ValueError:
        raise FieldError(
            "kind",
            "REPLY_KIND_UNKNOWN",
            "请选择回复类型：已整改、情况说明或经核查无问题",
            "choose the kind of reply: rectified, explained or no issue found",
        ) from None


def _reply_text(text: str) -> str:
    words = text.strip()
    if not words:
        raise FieldError(
            "text",
            "REPLY_TEXT_EMPTY",
            "请填写核查经过和结论",
            "describe what was checked and found",
        )
    if len(words) > MAX_REPLY:
        raise FieldError(
            "text",
            "REPLY_TEXT_TOO_LONG",
            f"回复内容不能超过 {MAX_REPLY} 字（现为 {len(words)} 字）",
            f"a reply holds at most {MAX_REPLY} characters ({len(words)} given)",
        )
    return words
