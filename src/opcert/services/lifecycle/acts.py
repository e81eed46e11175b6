"""Acts on a certificate: revocation (撤销), cancellation (注销), suspension and reinstatement,
lapse on a failed review (失效), correction (更正), replacement (补证), and the return to work
after more than six months away (Order 30 Art. 32).

Every act that moves the certificate goes through :func:`_apply`: the move is checked against
the one table (:mod:`opcert.domain.certificate_states`), the current credential's status entry
takes the new state's value, the row its state, and a lifecycle event and ledger entry are
recorded, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from opcert.domain.certificate_states import CertificateAct, next_state
from opcert.domain.errors import FieldError
from opcert.domain.names import PersonName
from opcert.domain.periods import add_years
from opcert.domain.reviews import practical_exam_required
from opcert.domain.rules import rule_set
from opcert.persistence.models import Ban, Cancellation, Certificate
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import Action, OfficerPrincipal
from opcert.services.lifecycle.grounds import (
    BANNING_GROUNDS,
    CANCELLATION_GROUNDS,
    REPLACEMENT_REASONS,
    REVOCATION_GROUNDS,
)
from opcert.services.lifecycle.versions import find, new_version, record
from opcert.services.verification.query import current_version, find_certificate

__all__ = [
    "BANNING_GROUNDS",
    "CANCELLATION_GROUNDS",
    "REPLACEMENT_REASONS",
    "REVOCATION_GROUNDS",
]

T = TypeVar("T")
CONSOLE = "cli:operator"

# The lifecycle event (and ledger kind ``certificate.<event>``) each act records.
EVENTS = {
    CertificateAct.REVOKE: "revoked",
    CertificateAct.CANCEL: "cancelled",
    CertificateAct.SUSPEND: "suspended",
    CertificateAct.REINSTATE: "reinstated",
    CertificateAct.LAPSE: "lapsed",
    CertificateAct.SUPERSEDE: "superseded",
    CertificateAct.CORRECT: "corrected",
    CertificateAct.REPLACE: "replaced",
}


def _nothing() -> None:
    return None


def _apply(
    uow: UnitOfWork,
    ctx: ServiceContext,
    row: Certificate,
    act: CertificateAct,
    *,
    actor: str,
    data: dict[str, Any],
    reason: str | None = None,
    change: Callable[[], T],
) -> T:
    """Do ``act`` to ``row``: raise ``Conflict`` (``ACT_NOT_ALLOWED``) unless the table allows
    it from the row's state; then run ``change`` (what the act writes besides the state: a new
    version, a ban, a cancellation notice; it may add to ``data``), set the current version's
    status entry to the new state's value, the row's state, and record the event and ledger
    entry. Returns what ``change`` returned."""
    target = next_state(row.state, act)
    done = change()
    now = ctx.now()
    _set_current_status(uow, ctx, row, target.status_code)
    if target != row.state:
        row.state, row.state_reason, row.state_changed_at = target.value, reason, now
    record(uow, row, EVENTS[act], ctx.today(), now, actor, data)
    return done


def _set_current_status(uow: UnitOfWork, ctx: ServiceContext, row: Certificate, value: int) -> None:
    if row.current_version_id is None:
        return
    version = uow.certificates.version(row.current_version_id)
    if version is not None and version.status_value != value:
        ctx.status_lists.set_status(uow, version, value, ctx.now())


def lapse(
    uow: UnitOfWork, ctx: ServiceContext, row: Certificate, reason: str, *, actor: str
) -> None:
    """Lapse (失效) on a failed review, in the caller's transaction: status entry 1."""
    _apply(
        uow,
        ctx,
        row,
        CertificateAct.LAPSE,
        actor=actor,
        data={"reason": reason},
        reason=reason,
        change=_nothing,
    )


def cancel(
    ctx: ServiceContext, number: str, item: str, ground: str, *, actor: str = CONSOLE
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
        today, now = ctx.today(), ctx.now()

        def notice() -> None:
            uow.lifecycle.add(
                Cancellation(
                    certificate_id=row.id, ground=ground, cancelled_on=today, created_at=now
                )
            )

        _apply(
            uow,
            ctx,
            row,
            CertificateAct.CANCEL,
            actor=actor,
            data={"ground": ground},
            reason=CANCELLATION_GROUNDS[ground][0],
            change=notice,
        )
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
    """Suspend (暂扣): status entry 3. Raises ``Conflict`` unless the certificate is active."""
    _require_reason(reason)
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        act, why = CertificateAct.SUSPEND, reason.strip()
        _apply(uow, ctx, row, act, actor=actor or CONSOLE, data={}, reason=why, change=_nothing)
        uow.commit()


def reinstate(ctx: ServiceContext, number: str, item: str, reason: str, *, actor: str = "") -> None:
    """Lift a suspension: status entry back to 0. Raises ``Conflict`` unless suspended."""
    _require_reason(reason)
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        act, why = CertificateAct.REINSTATE, reason.strip()
        _apply(uow, ctx, row, act, actor=actor or CONSOLE, data={}, reason=why, change=_nothing)
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
    name = PersonName.parse(name, "name").text
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        data: dict[str, Any] = {"from": row.name, "to": name, "reason": reason.strip()}

        def rename() -> NewVersion:
            row.name = name
            person = uow.persons.by_id_number(row.id_number)
            if person is not None and person.name != name:
                data["person_from"] = person.name
                person.name, person.updated_at = name, ctx.now()
            return _new(uow, ctx, row)

        act = CertificateAct.CORRECT
        done = _apply(uow, ctx, row, act, actor=actor or CONSOLE, data=data, change=rename)
        uow.commit()
        return done


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
        act, data = CertificateAct.REPLACE, {"reason": reason}
        done = _apply(
            uow,
            ctx,
            row,
            act,
            actor=actor or CONSOLE,
            data=data,
            change=lambda: _new(uow, ctx, row),
        )
        uow.commit()
        return done


def _new(uow: UnitOfWork, ctx: ServiceContext, row: Certificate) -> NewVersion:
    version = new_version(uow, ctx, row, ctx.now())
    return NewVersion(row.number, row.item_code, version.cti, version.version)


def revocation_grounds(officer: OfficerPrincipal) -> dict[str, tuple[str, str]]:
    """The grounds to choose from; raises ``Forbidden`` for a role that may not revoke."""
    officer.require(Action.REVOKE_CERTIFICATES)
    return REVOCATION_GROUNDS


@dataclass(frozen=True)
class Revocation:
    number: str
    item: str
    banned_until: date | None


def revoke(
    ctx: ServiceContext,
    number: str,
    item: str,
    reason: str,
    *,
    ground: str | None = None,
    officer: OfficerPrincipal | None = None,
) -> Revocation:
    """Revoke (撤销): the status entry turns void at once; false information or deception bans
    the holder from new certificates for the rule set's ban period. With ``officer`` (the pages),
    the role must be one that revokes and the certificate must lie in their scope; without (the
    CLI), the console operator acts for the platform. Raises ``Conflict`` (``ACT_NOT_ALLOWED``)
    for a certificate already revoked or cancelled."""
    reason = _revocation_reason(reason, ground)
    if officer is not None:
        officer.require(Action.REVOKE_CERTIFICATES)
    with ctx.uow() as uow:
        uow.begin_write()
        row = find_certificate(uow, number, item, lock=True, officer=officer)
        version = current_version(uow, row)
        data: dict[str, Any] = {"reason": reason, "ground": ground, "cti": version.cti}

        def ban() -> date | None:
            until = None
            if ground in BANNING_GROUNDS:
                until = add_years(ctx.today(), rule_set(row.rule_set).revocation_ban_years)
                uow.certificates.add(
                    Ban(
                        id_number=row.id_number,
                        until_on=until,
                        reason=reason,
                        certificate_id=row.id,
                        created_at=ctx.now(),
                    )
                )
            data["banned_until"] = until.isoformat() if until else None
            return until

        actor = officer.actor if officer else CONSOLE
        act = CertificateAct.REVOKE
        until = _apply(uow, ctx, row, act, actor=actor, data=data, reason=reason, change=ban)
        uow.commit()
        return Revocation(row.number, row.item_code, until)


def _revocation_reason(reason: str, ground: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise FieldError(
            "reason", "REASON_REQUIRED", "撤销必须说明理由", "a revocation needs a reason"
        )
    if ground is not None and ground not in REVOCATION_GROUNDS:
        raise FieldError(
            "ground",
            "GROUND_UNKNOWN",
            f"撤销情形应为：{', '.join(REVOCATION_GROUNDS)}",
            f"ground must be one of {', '.join(REVOCATION_GROUNDS)}",
        )
    return reason


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
        record(uow, row, "returned_to_work", today, ctx.now(), actor or CONSOLE, data)
        uow.commit()
        return required


def practical_retaken(
    ctx: ServiceContext, number: str, item: str, *, score: float, actor: str = ""
) -> bool:
    """Record the practical exam retaken after a long absence; returns whether it was passed
    (pass mark of the certificate's rule set)."""
    with ctx.uow() as uow:
        uow.begin_write()
        row = find(uow, number, item)
        passed = score >= rule_set(row.rule_set).pass_mark
        data = {"score": score, "passed": passed}
        record(uow, row, "practical_retaken", ctx.today(), ctx.now(), actor or CONSOLE, data)
        uow.commit()
        return passed
