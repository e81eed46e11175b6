"""Acts on a certificate: cancellation (注销), suspension and reinstatement, correction (更正),
replacement (补证), and the return to work after more than six months away (Order 30 Art. 32).

Each act changes the current credential's status entry (or issues a new version) in the same
transaction, with a lifecycle event and a ledger entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict, FieldError
from opcert.domain.names import normalise_name
from opcert.domain.reviews import practical_exam_required
from opcert.persistence.models import Cancellation, Certificate
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.lifecycle.versions import find, new_version, record, require_active

CANCELLATION_GROUNDS = {
    "death": ("持证人死亡", "the holder died"),
    "request": ("持证人提出注销申请", "the holder asked for it"),
    "revoked": ("特种作业操作证被依法撤销", "the certificate was revoked"),
}
REPLACEMENT_REASONS = {"lost": ("遗失", "lost"), "damaged": ("损毁", "damaged")}


def _set_current_status(
    uow: UnitOfWork, ctx: ServiceContext, row: Certificate, value: StatusCode
) -> None:
    if row.current_version_id is None:
        return
    version = uow.certificates.version(row.current_version_id)
    if version is not None:
        ctx.status_lists.set_status(uow, version, value, ctx.now())


def cancel(
    ctx: ServiceContext, number: str, item: str, ground: str, *, actor: str = "cli:operator"
) -> date:
    """Cancel (注销) on death, on request, or after revocation; published in the public list.
    Returns the cancellation date. Raises ``FieldError`` (``GROUND_UNKNOWN``) or ``Conflict``."""
    if ground not in CANCELLATION_GROUNDS:
        raise FieldError(
            "ground",
            "GROUND_UNKNOWN",
            f"注销情形应为：{', '.join(CANCELLATION_GROUNDS)}",
            f"ground must be one of {', '.join(CANCELLATION_GROUNDS)}",
        )
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        if row.state == "cancelled":
            raise Conflict("ALREADY_CANCELLED", "证书已注销", "already cancelled")
        today, now = ctx.today(), ctx.now()
        _set_current_status(uow, ctx, row, StatusCode.VOID)
        row.state, row.state_reason, row.state_changed_at = (
            "cancelled",
            CANCELLATION_GROUNDS[ground][0],
            now,
        )
        uow.lifecycle.add(
            Cancellation(certificate_id=row.id, ground=ground, cancelled_on=today, created_at=now)
        )
        record(uow, row, "cancelled", today, now, actor, {"ground": ground})
        uow.commit()
        return today


MAX_PAGE = 1_000_000  # far past any real list; keeps the offset inside a 64-bit integer
MAX_PER_PAGE = 200


def cancellations(ctx: ServiceContext, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """The public list of cancellations (Order 30 Art. 29), newest first; the ID digits in the
    certificate number are masked."""
    page, per_page = min(max(1, page), MAX_PAGE), min(max(1, per_page), MAX_PER_PAGE)
    with ctx.uow() as uow:
        total, rows = uow.lifecycle.cancellations((page - 1) * per_page, per_page)
        names = {a.code: a.name for a in uow.registry.authorities()}
        items = [
            {
                "number": _mask(cert.number),
                "name": cert.name,
                "item": cert.item_code,
                "item_name": cert.item_name,
                "authority": cert.authority_code,
                "authority_name": names.get(cert.authority_code, cert.authority_code),
                "ground": c.ground,
                "ground_label": CANCELLATION_GROUNDS[c.ground][0],
                "ground_label_en": CANCELLATION_GROUNDS[c.ground][1],
                "cancelled_on": c.cancelled_on.isoformat(),
            }
            for c, cert in rows
        ]
    return {"page": page, "per_page": per_page, "total": total, "cancellations": items}


def _mask(number: str) -> str:
    return number[:7] + "*" * max(0, len(number) - 11) + number[-4:]


def suspend(ctx: ServiceContext, number: str, item: str, reason: str, *, actor: str = "") -> None:
    """Suspend (暂停使用): status entry 3. Raises ``Conflict`` unless the certificate is active."""
    _require_reason(reason)
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        require_active(row)
        _set_current_status(uow, ctx, row, StatusCode.SUSPENDED)
        row.state, row.state_reason, row.state_changed_at = "suspended", reason.strip(), ctx.now()
        record(uow, row, "suspended", ctx.today(), ctx.now(), actor or "cli:operator", {})
        uow.commit()


def reinstate(ctx: ServiceContext, number: str, item: str, reason: str, *, actor: str = "") -> None:
    """Lift a suspension: status entry back to 0. Raises ``Conflict`` unless suspended."""
    _require_reason(reason)
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        if row.state != "suspended":
            raise Conflict("NOT_SUSPENDED", "证书未被暂停使用", "the certificate is not suspended")
        _set_current_status(uow, ctx, row, StatusCode.IN_FORCE)
        row.state, row.state_reason, row.state_changed_at = "active", reason.strip(), ctx.now()
        record(uow, row, "reinstated", ctx.today(), ctx.now(), actor or "cli:operator", {})
        uow.commit()


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise FieldError("reason", "REASON_REQUIRED", "请说明理由", "a reason is required")


@dataclass(frozen=True)
class NewVersion:
    number: str
    item: str
    cti: str
    version: int


def correct(
    ctx: ServiceContext, number: str, item: str, *, name: str, reason: str, actor: str = ""
) -> NewVersion:
    """Correct the holder's name (更正): a new credential version, the old one superseded.

    This is one of the authoritative acts that change the national person record: the person's
    recorded name follows the correction (results must match it from now on)."""
    _require_reason(reason)
    name = normalise_name(name, "name")
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        require_active(row)
        data = {"from": row.name, "to": name, "reason": reason.strip()}
        row.name = name
        person = uow.persons.by_id_number(row.id_number)
        if person is not None and person.name != name:
            data["person_from"] = person.name
            person.name, person.updated_at = name, ctx.now()
        version = new_version(uow, ctx, row, ctx.now())
        record(uow, row, "corrected", ctx.today(), ctx.now(), actor or "cli:operator", data)
        uow.commit()
        return NewVersion(row.number, row.item_code, version.cti, version.version)


def replace(
    ctx: ServiceContext, number: str, item: str, reason: str, *, actor: str = ""
) -> NewVersion:
    """Replace a lost or damaged certificate (补证): a new version, the old one superseded, so a
    found lost card no longer verifies as the current one."""
    if reason not in REPLACEMENT_REASONS:
        raise FieldError("reason", "REASON_UNKNOWN", "补证原因应为 lost 或 damaged", "lost|damaged")
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        require_active(row)
        version = new_version(uow, ctx, row, ctx.now())
        data = {"reason": reason}
        record(uow, row, "replaced", ctx.today(), ctx.now(), actor or "cli:operator", data)
        uow.commit()
        return NewVersion(row.number, row.item_code, version.cti, version.version)


def return_to_work(
    ctx: ServiceContext, number: str, item: str, *, away_from: date, actor: str = ""
) -> bool:
    """Record a return to the post today after being away since ``away_from``; returns whether
    the practical exam must be taken again (more than six months away, Art. 32)."""
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        today = ctx.today()
        if away_from > today:
            raise FieldError(
                "away_from", "DATE", "离岗日期不能晚于今天", "away_from is in the future"
            )
        required = practical_exam_required(away_from, today)
        data = {"away_from": away_from.isoformat(), "practical_exam_required": required}
        record(uow, row, "returned_to_work", today, ctx.now(), actor or "cli:operator", data)
        uow.commit()
        return required


def practical_retaken(
    ctx: ServiceContext, number: str, item: str, *, score: float, actor: str = ""
) -> bool:
    """Record the practical exam retaken after a long absence; returns whether it was passed
    (pass mark of the certificate's rule set)."""
    from opcert.domain.rules import rule_set

    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        passed = score >= rule_set(row.rule_set).pass_mark
        data = {"score": score, "passed": passed}
        record(uow, row, "practical_retaken", ctx.today(), ctx.now(), actor or "cli:operator", data)
        uow.commit()
        return passed
