"""Filing: score each valid result, file the application, run the checks, approve and issue."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from opcert.domain.applications import ApplicationStatus, Transition, transition
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION
from opcert.domain.checks import CandidateFacts, exam_outcome, name_check, run_checks
from opcert.domain.periods import add_months
from opcert.domain.rules import PLATFORM_TARGET_WORKDAYS, rule_set_for
from opcert.domain.scoring import next_step_after_failure, next_step_message
from opcert.domain.workdays import add_workdays
from opcert.persistence.models import Application, Authority, Certificate, ExamResult, Person
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.intake.validation import ValidRow
from opcert.services.issuance.numbering import authorities_for
from opcert.services.issuance.pipeline import IssueRequest, issue_many
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.lifecycle.standing import valid_held

AUTO_ACTOR = "system:auto-check"
HEALTH_COMMITMENT_VERSION = "MEM-2018-12"
HEALTH_COMMITMENT_TEXT = (
    "本人承诺身体健康，无妨碍从事相应特种作业的器质性心脏病、癫痫病、美尼尔氏症、眩晕症、癔病、"
    "震颤麻痹症、精神病、痴呆症以及其他疾病和生理缺陷，如有不实，愿承担相应法律责任。"
)
HEALTH_COMMITMENT_HASH = hashlib.sha256(HEALTH_COMMITMENT_TEXT.encode()).hexdigest()


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
    results, applications, requests, outcomes, events = [], [], [], [], []
    for row in rows:
        record = _file_row(row, looked, principal, now, today)
        record.result["person_id"] = person_ids[row.identity.number]
        results.append(record.result)
        outcomes.append(record.outcome)
        events.append(record.event)
        if record.application is not None:
            record.application["person_id"] = person_ids[row.identity.number]
            applications.append(record.application)
        if record.issue is not None:
            requests.append(record.issue)
    numbers = {request.application_id: request.number for request in requests}
    for outcome, result, event in zip(outcomes, results, events, strict=True):
        if outcome["outcome"] == "issued":
            number = numbers[outcome["application_id"]]
            outcome["certificate_no"] = event.data["certificate_no"] = number
        result["response"] = outcome
    result_ids = uow.intake.insert_returning_ids(ExamResult, results)
    by_ref = {r["ref"]: rid for r, rid in zip(results, result_ids, strict=True)}
    issued = {
        r.application_id: i for r, i in zip(requests, issue_many(uow, ctx, requests), strict=True)
    }
    for application in applications:
        application["result_id"] = by_ref[application.pop("_ref")]
        done = issued.get(application["id"])
        if done is not None:
            application["certificate_id"] = done.certificate_id
    uow.intake.insert_many(Application, applications)
    ledger.append(uow, events)
    return outcomes


def _look_up(
    uow: UnitOfWork, principal: InstitutionPrincipal, rows: list[ValidRow], today: date
) -> _Lookups:
    pairs = {(row.identity.number, row.item.code) for row in rows}
    ids = {row.identity.number for row in rows}
    since = add_months(today, -12)
    failures: Counter[tuple[str, str, str]] = Counter()
    for (number, item), (theory, practical) in uow.intake.failed_attempts(pairs, since, 80).items():
        failures[(number, item, "theory")] = theory
        failures[(number, item, "practical")] = practical
    institution = uow.registry.institution(principal.id)
    trainers = uow.registry.institutions_by_codes(
        {row.training_institution for row in rows if row.training_institution}
    )
    certificates = uow.certificates.by_pairs(pairs)
    return _Lookups(
        persons=uow.intake.persons(ids),
        failures=failures,
        certificates=certificates,
        held=valid_held(uow, certificates, today),
        bans={k: v.until_on for k, v in uow.certificates.bans(ids, today).items()},
        authorities=authorities_for(uow, {row.point.region for row in rows}),
        trainers=trainers,
        institution_active=bool(institution and institution.active),
        institution_credit_code=institution.credit_code if institution else None,
        issuing=set(),
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
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        number = row.identity.number
        if number in persons or number in fresh:
            continue
        fresh[number] = {
            "id_number": number,
            "name": row.name,
            "sex": int(row.identity.sex),
            "birth_on": row.identity.birth_date,
            "division": row.identity.division,
            "phone": None,
            "created_at": now,
            "updated_at": now,
        }
    ids = {number: person.id for number, person in persons.items()}
    new_ids = uow.intake.insert_returning_ids(Person, list(fresh.values()))
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
    result: dict[str, Any]
    outcome: dict[str, Any]
    event: ledger.LedgerEvent
    application: dict[str, Any] | None = None
    issue: IssueRequest | None = None


def _file_row(
    row: ValidRow, looked: _Lookups, principal: InstitutionPrincipal, now: datetime, today: date
) -> _Filed:
    rules = rule_set_for(row.exam_on)
    scored = exam_outcome(row.typ, rules, row.theory, row.practical)
    result = _result_values(row, principal, rules.id.value, scored.passed, now)
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
        result["outcome"] = "failed"
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
    result: dict[str, Any],
    now: datetime,
    today: date,
) -> _Filed:
    key = (row.identity.number, row.item.code)
    existing = looked.certificates.get(key)
    checks = run_checks(_facts(row, looked, today))
    failed = [check for check in checks if check.failed]
    authority = looked.authorities[row.point.region]
    app_id = str(uuid.uuid4())
    history = [
        transition(
            None,
            ApplicationStatus.FILED,
            at=now,
            actor=principal.actor,
            reason="考试机构代为申请 / filed by the exam institution",
        ),
        transition(ApplicationStatus.FILED, ApplicationStatus.CHECKING, at=now, actor=AUTO_ACTOR),
    ]
    issue = None
    if not failed and authority.auto_approve:
        history.append(
            transition(
                ApplicationStatus.CHECKING,
                ApplicationStatus.APPROVED,
                at=now,
                actor=AUTO_ACTOR,
                reason="自动核验全部通过 / every check passed",
            )
        )
        history.append(
            transition(
                ApplicationStatus.APPROVED, ApplicationStatus.ISSUED, at=now, actor=AUTO_ACTOR
            )
        )
        looked.issuing.add(key)
        issue = IssueRequest(
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
    else:
        why = (
            "需人工审核 / officer review required"
            if failed
            else "发证机关要求人工审批 / authority policy"
        )
        history.append(
            transition(
                ApplicationStatus.CHECKING,
                ApplicationStatus.IN_REVIEW,
                at=now,
                actor=AUTO_ACTOR,
                reason=why,
            )
        )
    status = history[-1].to_status
    reasons = [c.reason for c in failed] or ([] if issue else ["AUTHORITY_REVIEWS_ALL"])
    application = _application_values(
        row, app_id, principal, authority, checks, reasons, history, now, today
    )
    result.update(outcome="issued" if issue else "in_review", application_id=app_id)
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
            "transitions": application["history"],
            "person": _person_effect(row, looked),
        },
    )
    return _Filed(result, outcome, event, application, issue)


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
    )


def _person_effect(row: ValidRow, looked: _Lookups) -> str:
    """What this result did to the person record, for the ledger: it registered the person, or
    it matched the record, or its name differed and the record was left as it was."""
    recorded = looked.recorded_names.get(row.ref)
    if recorded is None:
        return "registered"
    return "matched" if recorded == row.name else "name_mismatch_unchanged"


def _result_values(
    row: ValidRow, principal: InstitutionPrincipal, rule_set: str, passed: bool, now: datetime
) -> dict[str, Any]:
    return {
        "institution_id": principal.id,
        "ref": row.ref,
        "content_hash": row.content_hash,
        "id_number": row.identity.number,
        "name": row.name,
        "item_code": row.item.code,
        "catalogue_version": CURRENT_CATALOGUE_VERSION,
        "theory_score": row.theory,
        "practical_score": row.practical,
        "exam_on": row.exam_on,
        "exam_point_id": row.point.id,
        "training_institution": row.training_institution,
        "education": int(row.education) if row.education is not None else None,
        "phone": row.phone,
        "rule_set": rule_set,
        "passed": passed,
        "outcome": "failed",
        "response": {},
        "application_id": None,
        "received_at": now,
    }


def _application_values(
    row: ValidRow,
    app_id: str,
    principal: InstitutionPrincipal,
    authority: Authority,
    checks: list[Any],
    reasons: list[str],
    history: list[Transition],
    now: datetime,
    today: date,
) -> dict[str, Any]:
    rules = rule_set_for(today)
    return {
        "id": app_id,
        "_ref": row.ref,
        "id_number": row.identity.number,
        "name": row.name,
        "typ": row.typ,
        "item_name": row.item.name_zh,
        "item_code": row.item.code,
        "catalogue_version": CURRENT_CATALOGUE_VERSION,
        "rule_set": rules.id.value,
        "authority_code": authority.code,
        "region": row.point.region,
        "institution_id": principal.id,
        "exam_point_id": row.point.id,
        "status": history[-1].to_status.value,
        "checks": [c.to_json() for c in checks],
        "review_reasons": reasons,
        "commitment": {
            "kind": "health",
            "version": HEALTH_COMMITMENT_VERSION,
            "text_sha256": HEALTH_COMMITMENT_HASH,
            "collected_by": principal.code,
            "recorded_at": now.isoformat(),
        },
        "history": [t.to_json() for t in history],
        "filed_at": now,
        "target_on": add_workdays(today, PLATFORM_TARGET_WORKDAYS),
        "due_on": add_workdays(today, rules.decision_deadline_workdays),
        "decided_at": now if history[-1].to_status is ApplicationStatus.ISSUED else None,
        "decided_by": AUTO_ACTOR if history[-1].to_status is ApplicationStatus.ISSUED else None,
        "decision_reason": None,
        "certificate_id": None,
    }
