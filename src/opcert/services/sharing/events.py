"""Events into the outbox, in the transaction of the act they tell of (issue 17, decision 0029).

Every act calls one of the functions below inside its own transaction: ``certificate_event`` (a
lifecycle act, from ``lifecycle.versions.record``), ``issued`` (issuance), ``application_events``
(filing and an officer's decision), and ``due`` events from the scheduled job. ``emit`` writes the
rows and fans them out to the subscribers whose grant covers them, one ``deliveries`` row each.

Ordering: ``emit`` takes the ledger head's lock before drawing event ids, and every act appends to
the ledger in the same transaction, so event ids are drawn and committed in one order and the pull
feed's cursor (``events.id``) never skips an event that commits late.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from opcert.persistence.models import Certificate, SharingEvent, Subscriber
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.sharing.sharing_list import (
    APPLICATION_PREFIX,
    CERTIFICATE_PREFIX,
    covers,
)
from opcert.services.verification.query import certificate_json

# A lifecycle record's kind (``lifecycle.versions.record``) -> the event it is, when it is one.
LIFECYCLE_EVENTS = {
    "revoked": "revoked",
    "cancelled": "cancelled",
    "suspended": "suspended",
    "reinstated": "reinstated",
    "lapsed": "lapsed",
    "corrected": "corrected",
    "replaced": "replaced",
    "renewed": "renewed",
    "extended_review": "reviewed",
}
SNAPSHOT_FIELDS = (
    "number",
    "name",
    "sex",
    "category",
    "item",
    "status",
    "first_issued_on",
    "valid_from",
    "valid_to",
    "review_due_on",
    "reviewed_on",
    "authority",
)


@dataclass(frozen=True)
class NewEvent:
    type: str
    subject: str
    region: str
    occurred_at: datetime
    data: dict[str, Any]
    certificate_id: int | None = None
    application_id: str | None = None
    id_number: str | None = None
    item_code: str | None = None
    dedupe_key: str | None = None


@dataclass
class _Fanout:
    subscribers: list[Subscriber]
    rosters: set[tuple[int, str, str]] = field(default_factory=set)


def region_of(authority_code: str) -> str:
    """``CN-440400`` -> ``440400``: an event's region is its issuing authority's division."""
    return authority_code.removeprefix("CN-")[:6]


def snapshot(row: Certificate, today: date, event: str) -> dict[str, Any]:
    """The certificate as the public query shows it on ``today``, with the holder's ID number
    (granted apart) and the event's name."""
    public = certificate_json(row, today)
    data: dict[str, Any] = {"event": event}
    data.update({key: public[key] for key in SNAPSHOT_FIELDS})
    data["id_number"] = row.id_number
    return data


def certificate_event(
    row: Certificate,
    event: str,
    today: date,
    now: datetime,
    *,
    dedupe_key: str | None = None,
) -> NewEvent:
    """``cn.opcert.certificate.<event>`` for ``row`` as it stands now."""
    return NewEvent(
        type=CERTIFICATE_PREFIX + event,
        subject=row.number,
        region=region_of(row.authority_code),
        occurred_at=now,
        data=snapshot(row, today, event),
        certificate_id=row.id,
        id_number=row.id_number,
        item_code=row.item_code,
        dedupe_key=dedupe_key,
    )


def lifecycle_event(
    uow: UnitOfWork,
    row: Certificate,
    kind: str,
    today: date,
    now: datetime,
    data: Mapping[str, Any],
) -> None:
    """Emit the event of a lifecycle record, when its kind is one (``LIFECYCLE_EVENTS``; a passed
    review decision is ``reviewed``)."""
    event = LIFECYCLE_EVENTS.get(kind)
    if kind == "review_decided" and data.get("status") == "passed":
        event = "reviewed"
    if event is not None:
        emit(uow, [certificate_event(row, event, today, now)])


def issued(uow: UnitOfWork, certificate_ids: Sequence[int], today: date, now: datetime) -> None:
    """``issued`` for each certificate just issued (or issued again after a new exam)."""
    if not certificate_ids:
        return
    rows = uow.sharing.certificates(certificate_ids)
    emit(uow, [certificate_event(rows[i], "issued", today, now) for i in certificate_ids])


class ApplicationLike(Protocol):
    """What an application event reads: a stored ``Application`` or a ``NewApplication``."""

    id: str
    status: str
    item_code: str
    name: str
    id_number: str
    authority_code: str
    review_reasons: list[str]
    certificate_id: int | None


def application_events(
    applications: Iterable[ApplicationLike], kinds: Sequence[str], now: datetime
) -> list[NewEvent]:
    """``cn.opcert.application.<kind>`` for each application, for each of ``kinds`` in order
    (``filed``; ``held`` when it went to an officer; ``decided`` when approved or rejected)."""
    out = []
    for one in applications:
        for kind in kinds:
            data: dict[str, Any] = {
                "event": kind,
                "application": one.id,
                "status": one.status,
                "item": one.item_code,
                "name": one.name,
                "id_number": one.id_number,
                "authority": one.authority_code,
                "reasons": list(one.review_reasons or ()),
            }
            out.append(
                NewEvent(
                    type=APPLICATION_PREFIX + kind,
                    subject=one.id,
                    region=region_of(one.authority_code),
                    occurred_at=now,
                    data=data,
                    certificate_id=one.certificate_id,
                    application_id=one.id,
                    id_number=one.id_number,
                    item_code=one.item_code,
                )
            )
    return out


def emit(uow: UnitOfWork, events: Sequence[NewEvent]) -> list[SharingEvent]:
    """Write ``events`` in order, and a pending delivery for each subscriber whose grant covers
    each one (event type, region, and for an employer its roster). Inside the caller's
    transaction; returns the rows with their ids."""
    if not events:
        return []
    uow.ledger.lock_head()  # ids in commit order: see the module's docstring
    rows = [
        SharingEvent(
            event_id=str(uuid.uuid4()),
            type=e.type,
            subject=e.subject,
            certificate_id=e.certificate_id,
            application_id=e.application_id,
            region=e.region,
            id_number=e.id_number,
            item_code=e.item_code,
            occurred_at=e.occurred_at,
            data=e.data,
            dedupe_key=e.dedupe_key,
        )
        for e in events
    ]
    uow.sharing.add_events(rows)
    subscribers = uow.sharing.active_subscribers()
    if subscribers:
        fanout = _Fanout(subscribers)
        employers = [s.id for s in subscribers if s.uscc]
        if employers:
            numbers = {r.id_number for r in rows if r.id_number}
            fanout.rosters = uow.sharing.roster_members(employers, numbers)
        pairs = [(row, s) for row in rows for s in subscribers if receives(s, row, fanout.rosters)]
        uow.sharing.add_deliveries(pairs, events[0].occurred_at)
    return rows


def receives(
    subscriber: Subscriber, event: SharingEvent, rosters: set[tuple[int, str, str]]
) -> bool:
    """Whether ``subscriber``'s grant covers ``event``: its type, its region, and for an employer
    (``uscc``) a worker of its roster (for that item, or every item)."""
    if event.type not in subscriber.event_types or not covers(subscriber.regions, event.region):
        return False
    if not subscriber.uscc:
        return True
    number = event.id_number or ""
    return (subscriber.id, number, "") in rosters or (
        subscriber.id,
        number,
        event.item_code or "",
    ) in rosters
