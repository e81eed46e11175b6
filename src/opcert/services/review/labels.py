"""What officer pages show instead of codes: application statuses, check names and outcomes,
authorities by name, and the region an officer's lists and searches cover."""

from __future__ import annotations

from opcert.domain.applications import ApplicationStatus
from opcert.domain.divisions import division_name
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import OfficerPrincipal

CHECKS = {
    "identity": ("身份证号码", "ID number"),
    "name": ("姓名与人员档案", "name and person record"),
    "age": ("年龄", "age"),
    "education": ("文化程度", "education"),
    "exam": ("考试成绩", "exam scores"),
    "score_validity": ("成绩有效期", "score validity"),
    "attempts": ("补考次数", "resit attempts"),
    "institution": ("考试机构与考点", "exam institution and point"),
    "ban": ("禁止申领期", "re-application ban"),
    "duplicate": ("重复持证", "certificate already held"),
    "training_separation": ("考培分离", "training kept apart from exams"),
    "exam_data": ("考试数据预警", "exam-data hold"),  # --- holds ---
}
OUTCOMES = {
    "passed": ("通过", "passed"),
    "failed": ("未通过", "failed"),
    "not_applicable": ("不适用", "not applicable"),
}


def check_label(check: str) -> tuple[str, str]:
    """The name of an automatic check; an unknown one is shown as 其他检查 with its code."""
    return CHECKS.get(check, (f"其他检查（{check}）", f"other check ({check})"))


def outcome_label(outcome: str) -> tuple[str, str]:
    return OUTCOMES.get(outcome, (outcome, outcome))


def status_label(status: str) -> tuple[str, str]:
    try:
        known = ApplicationStatus(status)
    except ValueError:
        return status, status
    return known.label_zh, known.label_en


def authority_names(ctx: ServiceContext) -> dict[str, str]:
    """Authority code → name (CN-440400 → 珠海市应急管理局), from the registry."""
    with ctx.uow() as uow:
        return {a.code: a.name for a in uow.registry.authorities()}


def region_label(officer: OfficerPrincipal) -> tuple[str, str]:
    """The division an officer's lists and searches cover, e.g. 广东省珠海市; 全国 nationally."""
    if officer.region_prefix == "":
        return "全国", "all of China"
    name = division_name(officer.region) or officer.region
    return name, f"{name} ({officer.region})"
