"""Registering the parties: authorities, institutions with API keys, exam points, officers.

Proving who is calling lives in :mod:`opcert.services.kernel.authentication`."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from stdnum.cn import uscc

from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.domain.certificates import issuer_code
from opcert.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from opcert.domain.identity import division_name
from opcert.persistence.models import (
    Authority,
    ExamPoint,
    Institution,
    Officer,
)
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.numbering import authorities_for
from opcert.services.kernel.authentication import hash_password, issue_api_key
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import ROLES
from opcert.services.registry import accreditations


def default_authorities() -> list[tuple[str, str]]:
    text = resources.files("opcert.services").joinpath("data/authorities.json").read_text("utf-8")
    return [(code, name) for code, name in json.loads(text)["authorities"]]


def ensure_authorities(uow: UnitOfWork, ctx: ServiceContext) -> list[str]:
    """Create the default authorities that do not exist yet; return every issuer code."""
    for division, name in default_authorities():
        if uow.registry.authority(issuer_code(division)) is None:
            uow.registry.add(
                Authority(
                    code=issuer_code(division),
                    division=division,
                    name=name,
                    auto_approve=True,
                    created_at=ctx.now(),
                )
            )
    return [a.code for a in uow.registry.authorities()]


def set_auto_approve(ctx: ServiceContext, issuer: str, enabled: bool) -> None:
    with ctx.uow() as uow:
        authority = uow.registry.authority(issuer)
        if authority is None:
            raise NotFound(
                "ISSUER_UNKNOWN",
                f"未知的发证机关：{issuer}",
                f"unknown authority {issuer}",
                field="issuer",
            )
        authority.auto_approve = enabled
        uow.commit()


def _region(value: str, field: str = "region") -> str:
    if len(value) != 6 or not value.isdigit() or (value[:2] == "00" and value != "000000"):
        raise FieldError(
            field,
            "REGION_FORMAT",
            f"行政区划代码「{value}」应为6位数字",
            f"division code {value!r} must be 6 digits",
        )
    if (
        value != "000000"
        and division_name(value) is None
        and division_name(value[:2] + "0000") is None
    ):
        raise FieldError(
            field,
            "REGION_UNKNOWN",
            f"未知的行政区划代码：{value}",
            f"unknown division code {value}",
        )
    return value


def _required(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise FieldError(field, "REQUIRED", f"请填写 {field}", f"{field} is required")
    if len(text) > limit:
        raise FieldError(
            field,
            "TOO_LONG",
            f"{field} 不能超过 {limit} 个字符",
            f"{field} is longer than {limit} characters",
        )
    return text


required = _required  # for the other account services


def _collect(*checks: Callable[[], object]) -> list[FieldError]:
    """Run every check and gather their field errors, so one reply names every bad field."""
    errors = []
    for check in checks:
        try:
            check()
        except FieldError as error:
            errors.append(error)
    return errors


@dataclass(frozen=True)
class NewInstitution:
    institution_id: int
    code: str
    api_key: str | None


def add_institution(
    ctx: ServiceContext,
    *,
    code: str,
    name: str,
    region: str,
    kind: str,
    credit_code: str | None = None,
    address: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> NewInstitution:
    """Register an institution; an exam institution gets an API key, returned only here."""
    errors = _collect(
        lambda: _required(code, "code", 40),
        lambda: _required(name, "name", 200),
        lambda: _region(region),
    )
    if kind not in ("exam", "training"):
        errors.append(
            FieldError(
                "kind", "KIND", "机构类型应为 exam 或 training", "kind must be exam or training"
            )
        )
    if credit_code and not uscc.is_valid(credit_code):
        errors.append(
            FieldError(
                "credit_code",
                "USCC_INVALID",
                "统一社会信用代码无效",
                "invalid unified social credit code",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    with ctx.uow() as uow:
        if uow.registry.institution_by_code(code.strip()) is not None:
            raise Conflict(
                "INSTITUTION_EXISTS",
                f"机构代码 {code} 已存在",
                f"institution {code} exists",
                field="code",
            )
        row = Institution(
            code=code.strip(),
            name=name.strip(),
            kind=kind,
            region=region,
            credit_code=credit_code,
            address=address,
            latitude=latitude,
            longitude=longitude,
            active=True,
            created_at=ctx.now(),
        )
        uow.registry.add(row)
        key = issue_api_key(uow, ctx, row.id) if kind == "exam" else None
        uow.commit()
        return NewInstitution(row.id, row.code, key)


def new_api_key(ctx: ServiceContext, institution_code: str) -> str:
    with ctx.uow() as uow:
        institution = _institution(uow, institution_code)
        key = issue_api_key(uow, ctx, institution.id)
        uow.commit()
        return key


def _institution(uow: UnitOfWork, code: str) -> Institution:
    row = uow.registry.institution_by_code(code)
    if row is None:
        raise NotFound(
            "INSTITUTION_UNKNOWN",
            f"未知的机构：{code}",
            f"unknown institution {code}",
            field="institution",
        )
    return row


def _exam_items(items: list[str] | None) -> list[str] | None:
    """Catalogue codes of an exam point's items; "SM" authorises the safety-manager assessment
    (安全合格证) besides catalogue items."""
    if not items:
        return None
    book = catalogue(CURRENT_CATALOGUE_VERSION)
    return [
        item.strip() if item.strip() == "SM" else book.item(item.strip(), field="items").code
        for item in items
    ]


def _check_exam_point(uow: UnitOfWork, owner: Institution, code: str, region: str) -> None:
    if owner.kind != "exam":
        raise FieldError(
            "institution",
            "NOT_EXAM_INSTITUTION",
            "只有考试机构可以设立考试点",
            "only exam institutions have exam points",
        )
    if uow.registry.exam_point_by_code(code) is not None:
        raise Conflict(
            "EXAM_POINT_EXISTS", f"考试点 {code} 已存在", f"exam point {code} exists", field="code"
        )
    if region not in authorities_for(uow, {region}):
        raise FieldError(
            "region",
            "NO_AUTHORITY",
            f"{region} 所在省份没有发证机关",
            f"no issuing authority covers {region}",
        )


def add_exam_point(
    ctx: ServiceContext,
    *,
    institution: str,
    code: str,
    name: str,
    region: str,
    items: list[str] | None = None,
    address: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    accreditation: accreditations.Terms | None = None,
) -> int:
    """Add an exam point authorised for ``items`` (all when None): its accreditation for them is
    recorded in the register at once, with ``accreditation`` (default: a standardised point,
    real equipment, examination apart from training, no dates; decision 0028)."""
    _required(code, "code", 40)
    _required(name, "name", 200)
    _region(region)
    checked = _exam_items(items)
    with ctx.uow() as uow:
        owner = _institution(uow, institution)
        _check_exam_point(uow, owner, code, region)
        row = ExamPoint(
            code=code,
            institution_id=owner.id,
            name=name,
            region=region,
            items=checked,
            address=address,
            latitude=latitude,
            longitude=longitude,
            active=True,
            created_at=ctx.now(),
        )
        uow.registry.add(row)
        terms = accreditation or accreditations.Terms()
        register = accreditations.records(
            row.id, checked or [None], terms, f"registration:{owner.code}", ctx
        )
        uow.accreditations.add(register)
        uow.commit()
        return row.id


def add_officer(
    ctx: ServiceContext,
    *,
    username: str,
    region: str,
    role: str = "approver",
    password: str | None = None,
) -> str:
    """Create an officer; returns the initial password (generated unless given)."""
    _required(username, "username", 64)
    _region(region)
    if role not in ROLES:
        raise FieldError(
            "role", "ROLE_UNKNOWN", f"角色应为 {'/'.join(ROLES)}", f"role must be one of {ROLES}"
        )
    password = password or secrets.token_urlsafe(12)
    with ctx.uow() as uow:
        if uow.registry.officer_by_username(username) is not None:
            raise Conflict(
                "OFFICER_EXISTS",
                f"用户名 {username} 已存在",
                f"username {username} exists",
                field="username",
            )
        uow.registry.add(
            Officer(
                username=username,
                region=region,
                role=role,
                password_hash=hash_password(password),
                active=True,
                created_at=ctx.now(),
            )
        )
        uow.commit()
    return password
