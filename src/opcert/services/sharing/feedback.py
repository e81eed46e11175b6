"""Outcomes subscribers feed back (``POST /api/v1/feedback``): an enforcement action on a holder,
an employer's confirmation that a worker was taken off duty, a municipal platform's receipt.

Each is validated, recorded against the certificate (and the event, when named) and put in the
ledger; officers see them on the certificate's page and the sharing page. A subscriber may feed
back only on certificates its grant covers (its regions, and an employer its roster): any other
gets 403. ``ref`` is the subscriber's own id for the outcome: the same ref again returns the
stored record and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opcert.domain.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from opcert.domain.unsafe_text import check_text
from opcert.persistence.models import Feedback, Subscriber
from opcert.persistence.unit_of_work import ConcurrentWriteConflict
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing.events import region_of
from opcert.services.sharing.sharing_list import covers

KINDS = {
    "enforcement": ("执法处置", "enforcement action"),
    "removed_from_duty": ("已调离作业岗位", "removed from duty"),
    "receipt": ("已接收", "received"),
}
MAX_DETAIL = 2000


@dataclass(frozen=True)
class Recorded:
    id: int
    ref: str
    created: bool


def _text(payload: dict[str, Any], name: str, errors: list[FieldError], limit: int) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(name, "REQUIRED", f"请填写 {name}", f"{name} is required"))
        return ""
    if len(value) > limit:
        errors.append(
            FieldError(name, "TOO_LONG", f"{name} 不能超过 {limit} 字", f"{name}: at most {limit}")
        )
        return ""
    try:
        return check_text(value.strip(), name)
    except FieldError as error:
        errors.append(error)
        return ""


def _checked(payload: dict[str, Any], today: date) -> dict[str, Any]:
    errors: list[FieldError] = []
    ref = _text(payload, "ref", errors, 64)
    number = _text(payload, "certificate_number", errors, 20)
    item = _text(payload, "item", errors, 16)
    kind = _text(payload, "kind", errors, 24)
    if kind and kind not in KINDS:
        errors.append(
            FieldError(
                "kind",
                "KIND_UNKNOWN",
                f"kind 须为：{', '.join(KINDS)}",
                f"kind must be one of {', '.join(KINDS)}",
            )
        )
    detail = _text(payload, "detail", errors, MAX_DETAIL)
    occurred = payload.get("occurred_on")
    occurred_on = today
    if occurred is not None:
        try:
            occurred_on = date.fromisoformat(str(occurred))
        except ValueError:
            errors.append(
                FieldError("occurred_on", "DATE_INVALID", "日期格式须为 YYYY-MM-DD", "YYYY-MM-DD")
            )
        else:
            if occurred_on > today:
                errors.append(
                    FieldError(
                        "occurred_on", "DATE_IN_FUTURE", "日期不能晚于今天", "not after today"
                    )
                )
    event_id = payload.get("event_id")
    if event_id is not None and (not isinstance(event_id, str) or len(event_id) > 36):
        errors.append(FieldError("event_id", "EVENT_INVALID", "event_id 无效", "invalid event_id"))
    if errors:
        raise ValidationFailed(errors)
    return {"ref": ref, "number": number, "item": item, "kind": kind, "detail": detail,
            "occurred_on": occurred_on, "event_id": event_id}  # fmt: skip


def record(ctx: ServiceContext, subscriber: Subscriber, payload: dict[str, Any]) -> Recorded:
    """Record one outcome. ``ValidationFailed`` for bad fields; ``Forbidden`` for a certificate
    outside the grant (the same answer as one that does not exist, so the grant reveals
    nothing); ``NotFound`` for an unknown event; ``Conflict`` for a ref reused with other
    content. Two requests with the same new ref at once: the second finds the first's record
    on its retry, as a replay."""
    checked = _checked(payload, ctx.today())
    try:
        return _record(ctx, subscriber, checked)
    except ConcurrentWriteConflict:
        return _record(ctx, subscriber, checked)


def _record(ctx: ServiceContext, subscriber: Subscriber, checked: dict[str, Any]) -> Recorded:
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        stored = uow.sharing.feedback_by_ref(subscriber.id, checked["ref"])
        row = uow.certificates.get(checked["number"], checked["item"])
        if row is None or not _granted(
            uow, subscriber, row.authority_code, row.id_number, row.item_code
        ):
            raise _outside_grant()
        if stored is not None:
            if (stored.certificate_id, stored.kind, stored.detail) != (
                row.id, checked["kind"], checked["detail"],
            ):  # fmt: skip
                raise Conflict(
                    "REF_REUSED",
                    f"ref {checked['ref']} 已用于另一条反馈",
                    f"ref {checked['ref']} was used for another outcome",
                    field="ref",
                )
            return Recorded(stored.id, stored.ref, False)
        event_pk = None
        if checked["event_id"]:
            event = uow.sharing.event(checked["event_id"])
            if event is None or event.certificate_id != row.id:
                raise NotFound(
                    "EVENT_NOT_FOUND",
                    "没有该证书的这一事件",
                    "no such event of this certificate",
                    field="event_id",
                )
            event_pk = event.id
        feedback = Feedback(
            subscriber_id=subscriber.id, ref=checked["ref"], certificate_id=row.id,
            event_id=event_pk, kind=checked["kind"], occurred_on=checked["occurred_on"],
            detail=checked["detail"], created_at=now,
        )  # fmt: skip
        uow.sharing.add(feedback)
        ledger.append(
            uow,
            [
                ledger.LedgerEvent(
                    now,
                    f"subscriber:{subscriber.code}",
                    "feedback.recorded",
                    f"certificate:{row.number}:{row.item_code}",
                    {"ref": checked["ref"], "kind": checked["kind"], "event": checked["event_id"]},
                )
            ],
        )
        uow.commit()
        return Recorded(feedback.id, feedback.ref, True)


def _outside_grant() -> Forbidden:
    return Forbidden(
        "OUTSIDE_GRANT",
        "该证书不在本订阅方的共享范围内",
        "this certificate is outside the subscriber's grant",
        field="certificate_number",
    )


def _granted(uow: Any, subscriber: Subscriber, authority: str, id_number: str, item: str) -> bool:
    if not covers(subscriber.regions, region_of(authority)):
        return False
    return not subscriber.uscc or bool(uow.sharing.on_roster(subscriber.id, id_number, item))


def for_certificate(ctx: ServiceContext, certificate_id: int) -> list[dict[str, Any]]:
    """The outcomes fed back on one certificate, for the officers' pages."""
    with ctx.reader() as uow:
        codes = {s.id: s for s in uow.sharing.subscribers()}
        return [
            {"subscriber": codes[f.subscriber_id].code, "subscriber_name":
             codes[f.subscriber_id].name, "kind": f.kind, "kind_label": KINDS[f.kind][0],
             "kind_label_en": KINDS[f.kind][1], "occurred_on": f.occurred_on.isoformat(),
             "detail": f.detail, "ref": f.ref, "created_at": f.created_at.isoformat()}
            for f in uow.sharing.feedback_for(certificate_id)
        ]  # fmt: skip
