"""The rows intake writes for one valid result: the exam result and the application filed for it.

A result's health commitment is recorded with its application as the exam institution collected
it (MEM19): the version of the text and its hash, not a copy.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from opcert.domain.applications import ApplicationStatus, Transition
from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION
from opcert.domain.checks import CheckResult
from opcert.domain.rules import PLATFORM_TARGET_WORKDAYS, rule_set_for
from opcert.domain.workdays import add_workdays
from opcert.persistence.models import Authority
from opcert.persistence.repositories.applications import NewApplication
from opcert.persistence.repositories.results import NewExamResult
from opcert.services.intake.validation import ValidRow
from opcert.services.kernel.principals import InstitutionPrincipal

AUTO_ACTOR = "system:auto-check"
HEALTH_COMMITMENT_VERSION = "MEM-2018-12"
HEALTH_COMMITMENT_TEXT = (
    "本人承诺身体健康，无妨碍从事相应特种作业的器质性心脏病、癫痫病、美尼尔氏症、眩晕症、癔病、"
    "震颤麻痹症、精神病、痴呆症以及其他疾病和生理缺陷，如有不实，愿承担相应法律责任。"
)
HEALTH_COMMITMENT_HASH = hashlib.sha256(HEALTH_COMMITMENT_TEXT.encode()).hexdigest()


def result_record(
    row: ValidRow, principal: InstitutionPrincipal, rule_set: str, passed: bool, now: datetime
) -> NewExamResult:
    """The result as received; filing sets its person, outcome, response and application."""
    return NewExamResult(
        institution_id=principal.id,
        ref=row.ref,
        content_hash=row.content_hash,
        id_number=row.identity.number,
        name=row.name,
        item_code=row.item.code,
        catalogue_version=CURRENT_CATALOGUE_VERSION,
        theory_score=row.theory,
        practical_score=row.practical,
        exam_on=row.exam_on,
        exam_point_id=row.point.id,
        training_institution=row.training_institution,
        education=int(row.education) if row.education is not None else None,
        phone=row.phone,
        rule_set=rule_set,
        passed=passed,
        received_at=now,
    )


def application_record(
    row: ValidRow,
    app_id: str,
    principal: InstitutionPrincipal,
    authority: Authority,
    checks: list[CheckResult],
    reasons: list[str],
    history: list[Transition],
    now: datetime,
    today: date,
) -> NewApplication:
    """The application filed for a passed result, with its deadlines counted from ``today``."""
    rules = rule_set_for(today)
    issued = history[-1].to_status is ApplicationStatus.ISSUED
    return NewApplication(
        id=app_id,
        id_number=row.identity.number,
        name=row.name,
        typ=row.typ,
        item_name=row.item.name_zh,
        item_code=row.item.code,
        catalogue_version=CURRENT_CATALOGUE_VERSION,
        rule_set=rules.id.value,
        authority_code=authority.code,
        region=row.point.region,
        institution_id=principal.id,
        exam_point_id=row.point.id,
        status=history[-1].to_status.value,
        checks=[c.to_json() for c in checks],
        review_reasons=reasons,
        commitment={
            "kind": "health",
            "version": HEALTH_COMMITMENT_VERSION,
            "text_sha256": HEALTH_COMMITMENT_HASH,
            "collected_by": principal.code,
            "recorded_at": now.isoformat(),
        },
        history=[t.to_json() for t in history],
        filed_at=now,
        target_on=add_workdays(today, PLATFORM_TARGET_WORKDAYS),
        due_on=add_workdays(today, rules.decision_deadline_workdays),
        decided_at=now if issued else None,
        decided_by=AUTO_ACTOR if issued else None,
    )
