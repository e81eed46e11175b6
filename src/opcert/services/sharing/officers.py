"""The officers' 数据共享 page (issue 17): the subscribers an officer may see, with their grant,
delivery figures, dead letters and the outcomes they fed back; and the acts on them.

Who, checked here and nowhere else:

- **Scope.** An officer sees a subscriber when *every* region of its grant lies within the
  officer's division (a national officer sees all; a grant of ``000000`` is national officers'
  only). Outside the scope a subscriber does not exist: the same ``NotFound``
  (``SUBSCRIBER_NOT_FOUND``) an unknown code gets, and lists leave it out.
- **Role and level.** ``sharing.read`` to read. ``subscribers.manage`` (admins) to add, disable,
  enable, rotate, redeliver and replace a roster, and only at national or province level: a city
  or county officer reads only. Both ``Forbidden`` (403), checked before any subscriber is
  looked up. A province officer grants only regions within the province.
- **Personal data.** Certificate numbers (an ID number behind a letter) and the free text of
  feedback are shown to roles that may read certificates; others see the number masked and no
  text.

Each act is carried out, and put in the ledger with the officer as actor, by the services of
``subscribers``, ``dispatch`` and ``rosters``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from opcert.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from opcert.persistence.models import Delivery, Feedback, SharingEvent, Subscriber
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.sharing import dispatch, rosters, subscribers
from opcert.services.sharing.feedback import KINDS as FEEDBACK_KINDS
from opcert.services.sharing.sharing_list import mask_number, shown_subject

PAGE_SIZE = 50
DEAD_SHOWN = 20
FEEDBACK_SHOWN = 20
MAX_CODE = 32
MAX_EVENT_ID = 36
MAX_URL = 500  # subscribers.url


@dataclass(frozen=True)
class Figures:
    pending: int = 0
    lag_seconds: float = 0.0  # age of the oldest pending delivery
    failures: int = 0  # pending after a failed attempt
    dead: int = 0


@dataclass(frozen=True)
class SubscriberView:
    code: str
    name: str
    kind: str  # employer (registered with a credit code) | platform
    uscc: str | None
    host: str  # the webhook URL's host only: a path may carry a receiver's token
    events: list[str]
    fields: list[str]
    regions: list[str]
    signing: str
    active: bool
    disabled_reason: str | None
    created_at: datetime
    figures: Figures


@dataclass(frozen=True)
class FeedbackView:
    subscriber: str
    subscriber_name: str
    kind: str
    kind_label: tuple[str, str]
    occurred_on: date
    certificate: str  # masked unless the officer may read certificates
    item: str
    detail: str | None  # None when the officer may not read it
    linked: bool  # the certificate may be searched for by this officer


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    type: str
    subject: str  # masked unless the officer may read certificates
    occurred_at: datetime
    attempts: int
    last_status: int | None
    last_error: str | None


@dataclass(frozen=True)
class Overview:
    subscribers: list[SubscriberView]
    page: int
    more: bool
    feedback: list[FeedbackView]
    may_manage: bool


@dataclass(frozen=True)
class Detail:
    subscriber: SubscriberView
    dead_letters: list[DeadLetter]
    feedback: list[FeedbackView]
    roster: int | None  # workers on an employer's roster
    may_manage: bool


# Who -----------------------------------------------------------------------------------------
def within(officer: OfficerPrincipal, regions: Iterable[str]) -> bool:
    """Whether every region of a grant lies within the officer's division."""
    listed = list(regions)
    return bool(listed) and all(officer.covers(region) for region in listed)


def may_manage(officer: OfficerPrincipal) -> bool:
    """Admins of national or province level (region prefix "" or two digits)."""
    return officer.may(Action.MANAGE_SUBSCRIBERS) and len(officer.region_prefix) <= 2


def require_manager(officer: OfficerPrincipal) -> None:
    """``Forbidden`` for a role that may not manage subscribers, or a city or county officer."""
    officer.require(Action.MANAGE_SUBSCRIBERS)
    if not may_manage(officer):
        raise Forbidden(
            "SHARING_LEVEL_FORBIDDEN",
            "只有国家级和省级发证机关的管理员可以管理数据共享订阅方；市、县级只能查看",
            "only national and province admins manage data-sharing subscribers; city and "
            "county officers read only",
        )


def _unknown(code: str) -> NotFound:
    return NotFound("SUBSCRIBER_NOT_FOUND", f"没有代码为 {code} 的订阅方", f"no subscriber {code}")


def _visible(uow: UnitOfWork, officer: OfficerPrincipal, code: str) -> Subscriber:
    row = uow.sharing.subscriber(code) if 0 < len(code) <= MAX_CODE else None
    if row is None or not within(officer, row.regions):
        raise _unknown(code[:MAX_CODE])
    return row


def _check_visible(ctx: ServiceContext, officer: OfficerPrincipal, code: str) -> None:
    with ctx.reader() as uow:
        _visible(uow, officer, code)


# Reading -------------------------------------------------------------------------------------
def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _figures(ctx: ServiceContext) -> dict[str, Figures]:
    """Each subscriber's delivery figures, from the dispatcher's status."""
    return {
        str(one["code"]): Figures(
            int(_number(one.get("pending"))),
            _number(one.get("oldest_pending_age_seconds")),
            int(_number(one.get("retrying"))),
            int(_number(one.get("dead"))),
        )
        for one in dispatch.status(ctx)
    }


def _view(row: Subscriber, figures: Figures) -> SubscriberView:
    return SubscriberView(
        code=row.code, name=row.name, kind="employer" if row.uscc else "platform",
        uscc=row.uscc, host=urlsplit(row.url).netloc.rsplit("@", 1)[-1], events=list(row.event_types),
        fields=list(row.fields), regions=list(row.regions), signing=row.signing,
        active=row.active, disabled_reason=row.disabled_reason, created_at=row.created_at,
        figures=figures,
    )  # fmt: skip


def overview(ctx: ServiceContext, officer: OfficerPrincipal, page: int = 1) -> Overview:
    """One page of the subscribers the officer sees (by code), their figures, and the newest
    outcomes they fed back."""
    officer.require(Action.READ_SHARING)
    page = min(max(page, 1), 10_000)
    figures = _figures(ctx)
    with ctx.reader() as uow:
        seen = [row for row in uow.sharing.subscribers() if within(officer, row.regions)]
        start = (page - 1) * PAGE_SIZE
        shown = [_view(row, figures.get(row.code, Figures())) for row in seen]
        ids = None if officer.region_prefix == "" else [row.id for row in seen]
        feedback = _feedback_views(
            uow, officer, uow.sharing.feedback_of(ids, FEEDBACK_SHOWN), {r.id: r for r in seen}
        )
    return Overview(
        shown[start : start + PAGE_SIZE],
        page,
        len(shown) > start + PAGE_SIZE,
        feedback,
        may_manage(officer),
    )


def detail(ctx: ServiceContext, officer: OfficerPrincipal, code: str) -> Detail:
    """One subscriber the officer sees, with its dead letters and feedback; ``NotFound``."""
    officer.require(Action.READ_SHARING)
    figures = _figures(ctx)
    with ctx.reader() as uow:
        row = _visible(uow, officer, code)
        readable = officer.may(Action.READ_CERTIFICATES)
        dead = [
            _dead_letter(delivery, event, readable)
            for delivery, event in uow.sharing.dead_deliveries(row.id, DEAD_SHOWN)
        ]
        feedback = _feedback_views(
            uow, officer, uow.sharing.feedback_of([row.id], FEEDBACK_SHOWN), {row.id: row}
        )
        roster = uow.sharing.roster_size(row.id) if row.uscc else None
        view = _view(row, figures.get(row.code, Figures()))
    return Detail(view, dead, feedback, roster, may_manage(officer))


def _dead_letter(delivery: Delivery, event: SharingEvent, readable: bool) -> DeadLetter:
    return DeadLetter(
        event.event_id,
        event.type,
        shown_subject(event.subject, ("id_number",) if readable else ()),
        event.occurred_at,
        delivery.attempts,
        delivery.last_status,
        delivery.last_error,
    )


def _feedback_views(
    uow: UnitOfWork,
    officer: OfficerPrincipal,
    rows: Sequence[Feedback],
    known: Mapping[int, Subscriber],
) -> list[FeedbackView]:
    certificates = uow.sharing.certificates([f.certificate_id for f in rows])
    readable = officer.may(Action.READ_CERTIFICATES)
    found: list[FeedbackView] = []
    for one in rows:
        subscriber = known.get(one.subscriber_id) or uow.sharing.subscriber_by_id(one.subscriber_id)
        certificate = certificates.get(one.certificate_id)
        if subscriber is None or certificate is None:
            continue
        shown = readable and officer.covers_authority(certificate.authority_code)
        found.append(
            FeedbackView(
                subscriber.code, subscriber.name, one.kind,
                FEEDBACK_KINDS.get(one.kind, (one.kind, one.kind)), one.occurred_on,
                certificate.number if shown else mask_number(certificate.number),
                certificate.item_code, one.detail if shown else None, shown,
            )
        )  # fmt: skip
    return found


def certificate_feedback(
    ctx: ServiceContext, officer: OfficerPrincipal, certificates: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, str], list[FeedbackView]]:
    """The outcomes fed back on each of these certificates (as the officer's search lists them:
    ``number``, ``item``), by (number, item); certificates outside the officer's division and
    those without feedback are left out."""
    officer.require(Action.READ_CERTIFICATES)
    found: dict[tuple[str, str], list[FeedbackView]] = {}
    with ctx.reader() as uow:
        for listed in certificates:
            key = (str(listed.get("number", "")), str(listed.get("item", "")))
            row = uow.certificates.get(*key)
            if row is None or not officer.covers_authority(row.authority_code):
                continue
            views = _feedback_views(uow, officer, uow.sharing.feedback_for(row.id), {})
            if views:
                found[key] = views
    return found


# Acts ----------------------------------------------------------------------------------------
def add(
    ctx: ServiceContext, officer: OfficerPrincipal, new: subscribers.NewSubscriber
) -> subscribers.Registered:
    """Register a subscriber within the officer's division; the API key and secret, shown once.
    ``ValidationFailed`` naming every bad field (a region outside the division on ``regions``);
    ``Conflict`` on ``code`` for a taken code."""
    require_manager(officer)
    config = ctx.sharing_config()
    errors = _scope_errors(officer, new)
    if errors:
        try:  # every other field's error at once, so the form is corrected in one go
            subscribers.checked_subscriber(new, config.allow_private_urls)
        except ValidationFailed as failed:
            named = {error.field for error in errors}
            errors += [error for error in failed.errors if error.field not in named]
        raise ValidationFailed(errors)
    return subscribers.add_subscriber(ctx, config, new, actor=officer.actor)


def _scope_errors(officer: OfficerPrincipal, new: subscribers.NewSubscriber) -> list[FieldError]:
    """What the officer may not grant (a region outside the division), and what the table
    cannot hold (a URL past its column)."""
    errors = []
    codes = [r.strip() for r in new.regions if r.strip().isdigit() and len(r.strip()) == 6]
    outside = [code for code in codes if not officer.covers(code)]  # others: subscribers says
    if outside:
        errors.append(
            FieldError(
                "regions",
                "REGION_OUTSIDE_DIVISION",
                f"只能授予本辖区（{officer.region}）内的地区；超出辖区：{'、'.join(outside[:5])}",
                f"only regions within your division ({officer.region}) may be granted; outside "
                f"it: {', '.join(outside[:5])}",
            )
        )
    if len((new.url or "").strip()) > MAX_URL:
        errors.append(
            FieldError(
                "url",
                "URL_TOO_LONG",
                f"回调地址不能超过 {MAX_URL} 个字符",
                f"the URL is longer than {MAX_URL} characters",
            )
        )
    return errors


def set_state(
    ctx: ServiceContext, officer: OfficerPrincipal, code: str, active: bool, reason: str
) -> None:
    """Disable or enable a subscriber the officer sees, with a reason (``FieldError`` on
    ``reason`` without one)."""
    require_manager(officer)
    _check_visible(ctx, officer, code)
    subscribers.set_active(ctx, code, active, reason, actor=officer.actor)


def rotate(ctx: ServiceContext, officer: OfficerPrincipal, code: str, *, api_key: bool) -> str:
    """A new webhook secret (or API key) for a subscriber the officer sees; shown once."""
    require_manager(officer)
    _check_visible(ctx, officer, code)
    return subscribers.rotate_secret(
        ctx, ctx.sharing_config(), code, api_key=api_key, actor=officer.actor
    )


def redeliver(ctx: ServiceContext, officer: OfficerPrincipal, code: str, event_id: str) -> int:
    """Send a dead letter of a subscriber the officer sees again (by the event's id)."""
    require_manager(officer)
    _check_visible(ctx, officer, code)
    if not 0 < len(event_id) <= MAX_EVENT_ID:
        raise NotFound("DELIVERY_NOT_FOUND", "没有这条投递", "no such delivery", field="event_id")
    return dispatch.redeliver(ctx, event_id=event_id, subscriber=code, actor=officer.actor)


def replace_roster(
    ctx: ServiceContext, officer: OfficerPrincipal, code: str, filename: str, data: bytes
) -> rosters.Replaced:
    """Replace the roster of an employer subscriber the officer sees with the rows of a CSV or
    .xlsx file: ``FieldError`` on ``file`` for a file that cannot be read, ``ValidationFailed``
    naming each bad row; nothing is replaced then."""
    require_manager(officer)
    _check_visible(ctx, officer, code)
    rows = rosters.read_roster(filename, data)
    return rosters.replace_roster(ctx, code, rows, officer.actor)
