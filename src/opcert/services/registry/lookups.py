"""Parties named at the console: an officer or exam institution by name, the authorities."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.errors import NotFound
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal


def officer_named(ctx: ServiceContext, username: str) -> OfficerPrincipal:
    """The active officer with this username; ``NotFound`` otherwise (a disabled account
    answers as an unknown one)."""
    with ctx.uow() as uow:
        row = uow.registry.officer_by_username(username)
        if row is None or not row.active:
            raise NotFound("OFFICER_UNKNOWN", "没有这个工作人员账号", f"no officer {username}")
        return OfficerPrincipal(row.id, row.username, row.region, row.role)


def exam_institution(ctx: ServiceContext, code: str) -> InstitutionPrincipal:
    """The exam institution with this code; ``NotFound`` for an unknown code and for an
    institution of another kind (a training institution sends no results)."""
    with ctx.uow() as uow:
        row = uow.registry.institution_by_code(code)
        if row is None or row.kind != "exam":
            raise NotFound("INSTITUTION_UNKNOWN", "没有这个考试机构", f"no exam institution {code}")
        return InstitutionPrincipal(row.id, row.code, row.name)


def sole_exam_institution(ctx: ServiceContext) -> InstitutionPrincipal | None:
    """The platform's one exam institution, or None when there are none or several."""
    with ctx.uow() as uow:
        rows = uow.registry.institutions("exam")
        if len(rows) != 1:
            return None
        return InstitutionPrincipal(rows[0].id, rows[0].code, rows[0].name)


@dataclass(frozen=True)
class AuthorityPolicy:
    code: str
    name: str
    auto_approve: bool


def authority_policies(ctx: ServiceContext) -> list[AuthorityPolicy]:
    """Every issuing authority with its approval policy, by code."""
    with ctx.uow() as uow:
        return [AuthorityPolicy(a.code, a.name, a.auto_approve) for a in uow.registry.authorities()]
