"""The automatic checks run on an application filed on a candidate's behalf.

Each check is a pure function of facts the service gathered; each gives a machine-readable
reason. An application whose checks all pass may be issued at once; any failed check sends it to
an officer, who sees every check with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opcert.domain import safety_manager
from opcert.domain.catalogue import Item
from opcert.domain.identity import ResidentId
from opcert.domain.retirement import check_working_age
from opcert.domain.rules import Education, RuleSet
from opcert.domain.scoring import ExamOutcome, attempts_allowed, score_exam, score_valid_until


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class CheckResult:
    check: str
    outcome: CheckOutcome
    reason: str
    message_zh: str
    message_en: str
    # What the reason points at, e.g. (("hold", "7"), ("signal", "1234")) for an exam-data hold.
    detail: tuple[tuple[str, str], ...] = ()

    @property
    def failed(self) -> bool:
        return self.outcome is CheckOutcome.FAILED

    def to_json(self) -> dict[str, str]:
        return {
            "check": self.check,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            **dict(self.detail),
        }


@dataclass(frozen=True)
class CandidateFacts:
    identity: ResidentId
    item: Item
    exam_rules: RuleSet
    exam_on: date
    filed_on: date
    theory: float
    practical: float | None
    education: Education | None
    point_active: bool
    point_items: tuple[str, ...] | None
    institution_active: bool
    banned_until: date | None
    holds_valid_certificate: bool
    training_known: bool | None  # None: no training institution given
    training_separated: bool
    failed_theory_attempts: int
    failed_practical_attempts: int
    typ: str = "SO"  # SM: the safety manager certificate (one exam, no education or item rules)
    # The name on the national person record; None when this result registers the person.
    recorded_name: str | None = None
    submitted_name: str = ""
    # The exam point or institution is held on a strong exam-data signal (issue 16).
    exam_data_hold: DataHold | None = None


@dataclass(frozen=True)
class DataHold:
    """A hold on the result's exam point or institution, and its strongest signal."""

    hold_id: int
    signal_id: int
    unit_name: str
    explanation_zh: str
    explanation_en: str


def run_checks(facts: CandidateFacts) -> list[CheckResult]:
    return [
        check_identity(facts),
        check_name(facts),
        check_age(facts),
        check_education(facts),
        check_exam(facts),
        check_score_validity(facts),
        check_attempts(facts),
        check_institution(facts),
        check_ban(facts),
        check_duplicate(facts),
        check_training_separation(facts),
        check_exam_data(facts),
    ]


def _ok(check: str, zh: str, en: str) -> CheckResult:
    return CheckResult(check, CheckOutcome.PASSED, "OK", zh, en)


def _fail(check: str, reason: str, zh: str, en: str) -> CheckResult:
    return CheckResult(check, CheckOutcome.FAILED, reason, zh, en)


def check_identity(facts: CandidateFacts) -> CheckResult:
    if facts.identity.division_known:
        return _ok("identity", "身份证号码有效", "the resident ID number is valid")
    return _fail(
        "identity",
        "ID_DIVISION_UNKNOWN",
        f"身份证号码的行政区划代码 {facts.identity.division} 不在已知代码表中，请人工核对",
        f"division code {facts.identity.division} is not in the known code table; check by hand",
    )


def check_name(facts: CandidateFacts) -> CheckResult:
    return name_check(facts.recorded_name, facts.submitted_name)


def name_check(recorded_name: str | None, submitted_name: str) -> CheckResult:
    """The submitted name must be the one on the person record (None: this result registers the
    person). A mismatch goes to an officer and changes nothing: an exam institution cannot rename
    a person; only an officer's correction with a reason can. The message does not repeat the
    recorded name to the institution."""
    if recorded_name is None:
        return _ok("name", "首次登记，姓名记入全国人员档案", "first registration of this person")
    if recorded_name == submitted_name:
        return _ok("name", "姓名与全国人员档案一致", "the name matches the person record")
    return _fail(
        "name",
        "NAME_MISMATCH",
        "报送的姓名与全国人员档案中该身份证号码的姓名不一致，需人工核对；人员档案未作修改",
        "the name differs from the person record of this ID number; an officer must check it. "
        "The record was not changed",
    )


def check_age(facts: CandidateFacts) -> CheckResult:
    age = check_working_age(
        facts.identity.birth_date, facts.identity.sex, facts.exam_on, certificate_type=facts.typ
    )
    if age.ok:
        return _ok(
            "age",
            "考试之日年龄在18周岁至法定退休年龄之间",
            "aged 18 to retirement age on the exam date",
        )
    return _fail("age", age.code, age.message_zh, age.message_en)


def check_education(facts: CandidateFacts) -> CheckResult:
    if facts.typ == "SM":
        return CheckResult(
            "education",
            CheckOutcome.NOT_APPLICABLE,
            "NOT_REQUIRED",
            "安全合格证考核不设学历条件",
            "no education requirement for this certificate",
        )
    required = facts.exam_rules.required_education(facts.item.code)
    if required == Education.NONE:
        return CheckResult(
            "education",
            CheckOutcome.NOT_APPLICABLE,
            "NOT_REQUIRED",
            "该作业项目不再要求学历",
            "no education requirement for this item",
        )
    if facts.education is None:
        return _ok(
            "education",
            "学历条件以申请人书面承诺为准（告知承诺）",
            "education requirement covered by the applicant's written commitment",
        )
    if facts.education >= required:
        return _ok("education", "学历符合要求", "education requirement met")
    return _fail(
        "education",
        "EDUCATION_BELOW_REQUIRED",
        f"该作业项目要求{required.label_zh}及以上学历",
        f"this item requires {required.name.lower().replace('_', ' ')} education or higher",
    )


def check_exam(facts: CandidateFacts) -> CheckResult:
    outcome = exam_outcome(facts.typ, facts.exam_rules, facts.theory, facts.practical)
    if outcome.passed:
        return _ok(
            "exam",
            f"理论与实操考试均合格（{facts.exam_rules.name_zh}）",
            f"theory and practical passed ({facts.exam_rules.name_en})",
        )
    return _fail("exam", outcome.code, outcome.message_zh, outcome.message_en)


def exam_outcome(typ: str, rules: RuleSet, theory: float, practical: float | None) -> ExamOutcome:
    """SO: theory then practical under the rule set; SM: one exam, 80 of 100 to pass."""
    if typ != "SM":
        return score_exam(rules, theory, practical)
    if safety_manager.passed(theory):
        return ExamOutcome(True, "PASSED", "考核合格", "passed")
    return ExamOutcome(
        False,
        "THEORY_FAILED",
        f"考试 {theory:g} 分，未达到 {safety_manager.PASS_MARK} 分的合格线。",
        f"Exam {theory:g} points, below the pass mark of {safety_manager.PASS_MARK}.",
    )


def check_score_validity(facts: CandidateFacts) -> CheckResult:
    until = score_valid_until(facts.exam_on)
    if facts.filed_on <= until:
        return _ok("score_validity", f"成绩有效期至 {until}", f"score valid until {until}")
    return _fail(
        "score_validity",
        "SCORE_EXPIRED",
        f"考试成绩已于 {until} 失效（有效期12个月）",
        f"the score lapsed on {until} (valid for 12 months)",
    )


def check_attempts(facts: CandidateFacts) -> CheckResult:
    before_theory = facts.failed_theory_attempts
    before_practical = facts.failed_practical_attempts
    if facts.typ == "SM" or (before_theory == 0 and before_practical == 0):
        return _ok("attempts", "首次考试合格", "passed at the first attempt")
    if _within_limit(facts.exam_rules, before_theory, before_practical):
        return _ok("attempts", "补考次数在规定范围内", "retakes within the limit of the rule set")
    return _fail(
        "attempts",
        "ATTEMPTS_EXCEEDED",
        "此前不合格次数已超过规定，应重新培训或重新报名后再考",
        "earlier failures exceed the limit: re-training or re-registration was required first",
    )


def _within_limit(rules: RuleSet, failed_theory: int, failed_practical: int) -> bool:
    return attempts_allowed(
        rules, failed_theory_attempts=failed_theory, failed_practical_attempts=failed_practical
    )


def check_institution(facts: CandidateFacts) -> CheckResult:
    if not facts.institution_active:
        return _fail(
            "institution",
            "INSTITUTION_INACTIVE",
            "考试机构已停用",
            "the exam institution is inactive",
        )
    if not facts.point_active:
        return _fail(
            "institution", "EXAM_POINT_INACTIVE", "考试点已停用", "the exam point is inactive"
        )
    wanted = "SM" if facts.typ == "SM" else facts.item.code
    if facts.point_items is not None and wanted not in facts.point_items:
        return _fail(
            "institution",
            "EXAM_POINT_NOT_AUTHORISED",
            f"考试点未获准考核「{facts.item.name_zh}」",
            f"the exam point is not authorised for item {facts.item.code}",
        )
    return _ok(
        "institution", "考试机构及考试点具备该项目考核资格", "institution and exam point authorised"
    )


def check_ban(facts: CandidateFacts) -> CheckResult:
    if facts.banned_until is None or facts.banned_until < facts.filed_on:
        return _ok("ban", "无禁止申请记录", "no ban in force")
    return _fail(
        "ban",
        "REVOCATION_BAN",
        f"因证书被撤销（虚假信息或欺骗、贿赂），{facts.banned_until} 前不得再次申请",
        f"a revocation for false information or deception bars new applications until "
        f"{facts.banned_until}",
    )


def check_duplicate(facts: CandidateFacts) -> CheckResult:
    if not facts.holds_valid_certificate:
        return _ok("duplicate", "未持有该项目的有效证书", "holds no valid certificate for the item")
    return _fail(
        "duplicate",
        "ALREADY_CERTIFIED",
        "已持有该操作项目的有效证书",
        "already holds a valid certificate for this item",
    )


def check_training_separation(facts: CandidateFacts) -> CheckResult:
    if facts.training_known is None:
        return CheckResult(
            "training_separation",
            CheckOutcome.NOT_APPLICABLE,
            "TRAINING_NOT_GIVEN",
            "未提供培训机构",
            "no training institution given",
        )
    if not facts.training_known:
        return _fail(
            "training_separation",
            "TRAINING_INSTITUTION_UNKNOWN",
            "培训机构未在平台登记",
            "the training institution is not registered",
        )
    if facts.training_separated:
        return _ok("training_separation", "培训与考试分离", "training and examination are separate")
    return _fail(
        "training_separation",
        "TRAINING_NOT_SEPARATED",
        "培训机构与考试机构为同一单位，违反教考分离",
        "the training and exam institutions are the same entity: teaching and testing not separated",
    )


def check_exam_data(facts: CandidateFacts) -> CheckResult:
    """Results from an exam point or institution held on a strong exam-data signal go to an
    officer, with the signal named, until the hold is released (decision 0028)."""
    hold = facts.exam_data_hold
    if hold is None:
        return _ok("exam_data", "考试数据无异常预警", "no exam-data hold on the exam point")
    return CheckResult(
        "exam_data",
        CheckOutcome.FAILED,
        "EXAM_DATA_ANOMALY",
        f"{hold.unit_name}因考试数据异常预警暂停自动发证，需人工审核：{hold.explanation_zh}",
        f"{hold.unit_name} is held on an exam-data signal; an officer must review: "
        f"{hold.explanation_en}",
        (("hold", str(hold.hold_id)), ("signal", str(hold.signal_id))),
    )
