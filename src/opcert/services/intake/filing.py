"""Filing: score each valid result, file the application, run the checks, approve and issue."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from opcert.domain.applications import (
    ApplicationStatus,
    Routing,
    Transition,
    route,
    routed,
    transition,
)
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION
from opcert.domain.checks import CandidateFacts, DataHold, exam_outcome, name_check, run_checks
from opcert.domain.periods import add_months
from opcert.domain.rules import rule_set_for
from opcert.domain.scoring import next_step_after_failure, next_step_message
from opcert.persistence.models import Authority, Certificate, Person
from opcert.persistence.repositories.applications import NewApplication
from opcert.persistence.repositories.persons import NewPerson
from opcert.persistence.repositories.results import NewExamResult
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.analytics.holds import data_holds
from opcert.services.intake.records import AUTO_ACTOR, application_record, result_record
from opcert.services.intake.validation import ValidRow
from opcert.services.issuance.numbering import authorities_for
from opcert.services.issuance.pipeline import IssueRequest, issue_many
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.lifecycle.standing import valid_held
from opcert.services.sharing import events as sharing


@dataclass
class _Lookups:
    persons: dict[str, Person]
    failures: Counter[tuple[str, str, str]]
    certificates: dict[tuple[str, str], Certificate]
    bans: dict[str, date]
    authorities: dict[str, Authority]
    trainers: dict[str, Any]
    institution_active: bool
    institution_credit_code: str | None
    issuing: set[tuple[str, str]]
    held: set[tuple[str, str]] = field(default_factory=set)  # valid on the day (dates included)
    recorded_names: dict[str, str | None] = field(default_factory=dict)
    # Exam-data holds in force: by exam point code, the institution's under None (decision 0028).
    data_holds: dict[str | None, DataHold] = field(default_factory=dict)


def file_batch(
    uow: UnitOfWork, ctx: ServiceContext, principal: InstitutionPrincipal, rows: list[ValidRow]
) -> list[dict[str, Any]]:
    """Record every row and return the outcome fields of each, in order."""
    if not rows:
        return []
    now, today = ctx.now(), ctx.today()
    looked = _look_up(uow, principal, rows, today)
    looked.recorded_names = _registrations(rows, looked.persons)
    person_ids = _save_persons(uow, rows, looked.persons, now)
    filed = [_file_row(row, looked, principal, now, today) for row in rows]
    requests = [f.issue for f in filed if f.issue is not None]
    numbers = {request.application_id: request.number for request in requests}
    for row, one in zip(rows, filed, strict=True):
        one.result.person_id = person_ids[row.identity.number]
        known = looked.persons.get(row.identity.number)
        one.result.home_division = known.division if known else row.identity.division
        if one.outcome["outcome"] == "issued":
            number = numbers[one.outcome["application_id"]]
            one.outcome["certificate_no"] = one.event.data["certificate_no"] = number
        one.result.response = one.outcome
    result_ids = uow.results.record([one.result for one in filed])
    uow.results.mark_first_attempts([(one.result.id_number, one.result.item_code) for one in filed])
    issued = {
        r.application_id: i for r, i in zip(requests, issue_many(uow, ctx, requests), strict=True)
    }
    applications = []
    for row, one, result_id in zip(rows, filed, result_ids, strict=True):
        if one.application is None:
            continue
        one.application.person_id = person_ids[row.identity.number]
        one.application.result_id = result_id
        done = issued.get(one.application.id)
        if done is not None:
            one.application.certificate_id = done.certificate_id
        applications.append(one.application)
    uow.applications.file(applications)
    ledger.append(uow, [one.event for one in filed])
    _share(uow, applications, [i.certificate_id for i in issued.values()], today, now)
    return [one.outcome for one in filed]


def _share(
    uow: UnitOfWork,
    applications: list[NewApplication],
    certificate_ids: list[int],
    today: date,
    now: datetime,
) -> None:
    """The batch's data-sharing events (issue 17): each application filed, then held (sent to
    an officer) or decided (issued at once), then each certificate issued."""
    held = [a for a in applications if a.certificate_id is None]
    decided = [a for a in applications if a.certificate_id is not None]
    sharing.emit(
        uow,
        [
            *sharing.application_events(applications, ["filed"], now),
            *sharing.application_events(held, ["held"], now),
            *sharing.application_events(decided, ["decided"], now),
        ],
    )
    sharing.issued(uow, certificate_ids, today, now)


def _look_up(
    uow: UnitOfWork, principal: InstitutionPrincipal, rows: list[ValidRow], today: date
) -> _Lookups:
    pairs = {(row.identity.number, row.item.code) for row in rows}
    ids = {row.identity.number for row in rows}
    since = add_months(today, -12)
    failures: Counter[tuple[str, str, str]] = Counter()
    for (number, item), (theory, practical) in uow.results.failed_attempts(
        pairs, since, 80
    ).items():
        failures[(number, item, "theory")] = theory
        failures[(number, item, "practical")] = practical
    institution = uow.registry.institution(principal.id)
    trainers = uow.registry.institutions_by_codes(
        {row.training_institution for row in rows if row.training_institution}
    )
    certificates = uow.certificates.by_pairs(pairs)
    return _Lookups(
        persons=uow.persons.by_id_numbers(ids),
        failures=failures,
        certificates=certificates,
        held=valid_held(uow, certificates, today),
        bans={k: v.until_on for k, v in uow.certificates.bans(ids, today).items()},
        authorities=authorities_for(uow, {row.point.region for row in rows}),
        trainers=trainers,
        institution_active=bool(institution and institution.active),
        institution_credit_code=institution.credit_code if institution else None,
        issuing=set(),
        data_holds=data_holds(uow, {row.point.code for row in rows}, principal.code),
    )


def _save_persons(
    uow: UnitOfWork, rows: list[ValidRow], persons: dict[str, Person], now: datetime
) -> dict[str, int]:
    """Register the persons met for the first time; never change a known one.

    The person record (name, sex, birth date, contact) changes only through an authoritative act:
    first registration here, an officer's correction with a reason, or the holder's own verified
    change of phone. A result is not one: a different name goes to review (``NAME_MISMATCH``, see
    ``_recorded_name``) and the phone an institution sends stays with that result
    (``exam_results.phone``), never the holder's login channel. Within a batch the first row of a
    new person registers it; later rows of that person are compared with it.
    """
    fresh: dict[str, NewPerson] = {}
    for row in rows:
        number = row.identity.number
        if number in persons or number in fresh:
            continue
        fresh[number] = NewPerson(
            id_number=number,
            name=row.name,
            sex=int(row.identity.sex),
            birth_on=row.identity.birth_date,
            division=row.identity.division,
            registered_at=now,
        )
    ids = {number: person.id for number, person in persons.items()}
    new_ids = uow.persons.register(list(fresh.values()))
    ids.update(zip(fresh.keys(), new_ids, strict=True))
    return ids


def _registrations(rows: list[ValidRow], persons: dict[str, Person]) -> dict[str, str | None]:
    """Per row ref: the recorded name the row must match, or None for the row that registers
    a new person."""
    names = {number: person.name for number, person in persons.items()}
    recorded: dict[str, str | None] = {}
    for row in rows:
        number = row.identity.number
        recorded[row.ref] = names.get(number)
        names.setdefault(number, row.name)
    return recorded


@dataclass
class _Filed:
    result: NewExamResult
    outcome: dict[str, Any]
    event: ledger.LedgerEvent
    application: NewApplication | None = None
    issue: IssueRequest | None = None


def _file_row(
    row: ValidRow, looked: _Lookups, principal: InstitutionPrincipal, now: datetime, today: date
) -> _Filed:
    rules = rule_set_for(row.exam_on)
    scored = exam_outcome(row.typ, rules, row.theory, row.practical)
    result = result_record(row, principal, rules.id.value, scored.passed, now)
    key = (row.identity.number, row.item.code)
    if not scored.passed:
        part = "theory" if scored.code == "THEORY_FAILED" else "practical"
        looked.failures[(*key, part)] += 1
        step = next_step_after_failure(
            rules,
            failed_theory_attempts=looked.failures[(*key, "theory")],
            failed_practical_attempts=looked.failures[(*key, "practical")],
        )
        zh, en = next_step_message(step)
        reasons = [
            {"reason": scored.code, "message": scored.message_zh, "message_en": scored.message_en}
        ]
        name_checked = name_check(looked.recorded_names.get(row.ref), row.name)
        if name_checked.failed:
            reasons.append(
                {
                    "reason": name_checked.reason,
                    "message": name_checked.message_zh,
                    "message_en": name_checked.message_en,
                }
            )
        outcome = {
            "ref": row.ref,
            "outcome": "failed",
            "errors": [],
            "reasons": reasons,
            "next_step": {"step": step.value, "message": zh, "message_en": en},
        }
        result.outcome = "failed"
        event = ledger.LedgerEvent(
            now,
            principal.actor,
            "result.failed",
            f"result:{principal.code}:{row.ref}",
            {
                "item": row.item.code,
                "id_number": row.identity.number,
                "rule_set": rules.id.value,
                "reason": scored.code,
                "person": _person_effect(row, looked),
            },
        )
        return _Filed(result, outcome, event)
    return _file_application(row, looked, principal, result, now, today)


def _file_application(
    row: ValidRow,
    looked: _Lookups,
    principal: InstitutionPrincipal,
    result: NewExamResult,
    now: datetime,
    today: date,
) -> _Filed:
    key = (row.identity.number, row.item.code)
    existing = looked.certificates.get(key)
    checks = run_checks(_facts(row, looked, today))
    failed = [check for check in checks if check.failed]
    authority = looked.authorities[row.point.region]
    app_id = str(uuid.uuid4())
    routing = route([c.reason for c in failed], authority_auto_approves=authority.auto_approve)
    history = _history(principal, routing, now)
    issue = None
    if routing.issue:
        looked.issuing.add(key)
        issue = _issue_request(row, authority, app_id, existing)
    status = history[-1].to_status
    application = application_record(
        row, app_id, principal, authority, checks, list(routing.reasons), history, now, today
    )
    result.outcome = "issued" if issue else "in_review"
    result.application_id = app_id
    outcome = {
        "ref": row.ref,
        "outcome": "issued" if issue else "in_review",
        "errors": [],
        "application_id": app_id,
        "reasons": [
            {"reason": c.reason, "message": c.message_zh, "message_en": c.message_en}
            for c in failed
        ],
    }
    event = ledger.LedgerEvent(
        now,
        principal.actor,
        f"application.{status.value}",
        f"application:{app_id}",
        {
            "ref": row.ref,
            "item": row.item.code,
            "id_number": row.identity.number,
            "authority": authority.code,
            "checks": {c.check: c.outcome.value for c in checks},
            "transitions": application.history,
            "person": _person_effect(row, looked),
        },
    )
    return _Filed(result, outcome, event, application, issue)


def _history(principal: InstitutionPrincipal, routing: Routing, now: datetime) -> list[Transition]:
    """Filed by the institution, checked, then routed: issued at once or in review."""
    return [
        transition(
            None,
            ApplicationStatus.FILED,
            at=now,
            actor=principal.actor,
            reason="考试机构代为申请 / filed by the exam institution",
        ),
        transition(ApplicationStatus.FILED, ApplicationStatus.CHECKING, at=now, actor=AUTO_ACTOR),
        *routed(routing, at=now, actor=AUTO_ACTOR),
    ]


def _issue_request(
    row: ValidRow, authority: Authority, app_id: str, existing: Certificate | None
) -> IssueRequest:
    return IssueRequest(
        row.identity.number,
        row.name,
        int(row.identity.sex),
        row.item.code,
        CURRENT_CATALOGUE_VERSION,
        authority,
        app_id,
        existing,
        typ=row.typ,
        item_name=row.item.name_zh,
    )


def _facts(row: ValidRow, looked: _Lookups, today: date) -> CandidateFacts:
    key = (row.identity.number, row.item.code)
    trainer = looked.trainers.get(row.training_institution) if row.training_institution else None
    separated = (
        trainer is not None
        and trainer.id != row.point.institution_id
        and not (trainer.credit_code and trainer.credit_code == looked.institution_credit_code)
    )
    return CandidateFacts(
        identity=row.identity,
        item=row.item,
        exam_rules=rule_set_for(row.exam_on),
        exam_on=row.exam_on,
        filed_on=today,
        theory=row.theory,
        practical=row.practical,
        education=row.education,
        point_active=row.point.active,
        point_items=row.point.items,
        institution_active=looked.institution_active,
        banned_until=looked.bans.get(row.identity.number),
        holds_valid_certificate=key in looked.issuing or key in looked.held,
        training_known=None if not row.training_institution else trainer is not None,
        training_separated=separated,
        failed_theory_attempts=looked.failures[(*key, "theory")],
        failed_practical_attempts=looked.failures[(*key, "practical")],
        typ=row.typ,
        recorded_name=looked.recorded_names.get(row.ref),
        submitted_name=row.name,
        exam_data_hold=looked.data_holds.get(row.point.code) or looked.data_holds.get(None),
    )


def _person_effect(row: ValidRow, looked: _Lookups) -> str:
    """What this result did to the person record, for the ledger: it registered the person, or
    it matched the record, or its name differed and the record was left as it was."""
    recorded = looked.recorded_names.get(row.ref)
    if recorded is None:
        return "registered"
    return "matched" if recorded == row.name else "name_mismatch_unchanged"
