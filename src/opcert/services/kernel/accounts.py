"""Accounts and their sessions: institution web users (separate from the API key), officers'
password changes, logout, and an administrator's revocation of anyone's sessions.

Every act that ends sessions is in the ledger (``services.sessions``); so are new institution
users and password changes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from opcert.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from opcert.domain.identity import parse_resident_id
from opcert.domain.sessions import SessionKind
from opcert.persistence.models import InstitutionUser, Officer
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel import authentication, ledger, sessions
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal
from opcert.services.registry import parties as registry

MIN_PASSWORD = 12
MAX_PASSWORD = 200


@dataclass(frozen=True)
class InstitutionUserPrincipal:
    user_id: int
    username: str
    institution: InstitutionPrincipal

    @property
    def actor(self) -> str:
        return f"institution-user:{self.username}"


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def _event(uow: UnitOfWork, ctx: ServiceContext, actor: str, kind: str, subject: str) -> None:
    ledger.append(uow, [ledger.LedgerEvent(ctx.now(), actor, kind, subject, {})])


# institution web users


def add_institution_user(
    ctx: ServiceContext,
    *,
    institution: str,
    username: str,
    password: str | None = None,
    actor: str = "cli:operator",
) -> str:
    """A web login for an exam institution; returns the initial password (shown once)."""
    name = registry.required(username, "username", 64)
    if not authentication.usable(name) or " " in name:
        raise FieldError(
            "username",
            "USERNAME_CHARACTERS",
            "用户名不能含空格或控制字符",
            "the username may not contain spaces or control characters",
        )
    password = password or _new_password()
    code = institution.strip()
    with ctx.uow() as uow:
        uow.begin_write()
        owner = uow.registry.institution_by_code(code) if authentication.usable(code) else None
        if owner is None or owner.kind != "exam":
            raise NotFound(
                "INSTITUTION_UNKNOWN",
                f"未知的考试机构：{institution}",
                f"unknown exam institution {institution}",
                field="institution",
            )
        if uow.registry.institution_user_by_username(name) is not None:
            raise Conflict(
                "USER_EXISTS",
                f"用户名 {name} 已存在",
                f"username {name} exists",
                field="username",
            )
        uow.registry.add(
            InstitutionUser(
                institution_id=owner.id,
                username=name,
                password_hash=authentication.hash_password(password),
                active=True,
                created_at=ctx.now(),
            )
        )
        _event(uow, ctx, actor, "institution.user_added", f"institution-user:{name}")
        uow.commit()
    return password


def institution_login(ctx: ServiceContext, username: str, password: str, hours: float) -> str:
    """A new institution web session; the same error after the same work for any failure."""
    with ctx.uow() as uow:
        name = username.strip()
        user = (
            uow.registry.institution_user_by_username(name) if authentication.usable(name) else None
        )
        owner = uow.registry.institution(user.institution_id) if user is not None else None
        usable = user is not None and user.active and owner is not None and owner.active
        matches = authentication.verify_password(
            password, user.password_hash if usable and user else None
        )
        if user is None or not matches:
            raise authentication.login_failed()
        user_id = user.id
    return sessions.start(ctx, SessionKind.INSTITUTION, str(user_id), hours)


def authenticate_institution_user(
    ctx: ServiceContext, token: str | None
) -> InstitutionUserPrincipal:
    record = sessions.require(ctx, SessionKind.INSTITUTION, token)
    with ctx.uow() as uow:
        user = uow.registry.institution_user(int(record.subject))
        owner = uow.registry.institution(user.institution_id) if user is not None else None
        if user is None or owner is None or not user.active or not owner.active:
            raise Unauthorized(
                "TOKEN_INVALID",
                "登录已失效，请重新登录",
                "session expired; log in again",
                field="Authorization",
            )
        return InstitutionUserPrincipal(
            user.id, user.username, InstitutionPrincipal(owner.id, owner.code, owner.name)
        )


# officers' passwords


def _check_new_password(new: str, username: str, field: str = "new_password") -> None:
    if len(new) < MIN_PASSWORD or len(new) > MAX_PASSWORD:
        raise FieldError(
            field,
            "PASSWORD_LENGTH",
            f"新密码应为 {MIN_PASSWORD} 至 {MAX_PASSWORD} 个字符",
            f"the new password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters",
        )
    if new.strip().lower() == username.lower():
        raise FieldError(
            field,
            "PASSWORD_IS_USERNAME",
            "新密码不能与用户名相同",
            "the new password must differ from the username",
        )


def change_officer_password(
    ctx: ServiceContext, officer: OfficerPrincipal, current: str, new: str
) -> int:
    """The officer's own change: the current password must be right. Every session of the
    officer ends, this one included; returns how many."""
    errors = []
    try:
        _check_new_password(new, officer.username)
    except FieldError as error:
        errors.append(error)
    if new == current:
        errors.append(
            FieldError(
                "new_password",
                "PASSWORD_UNCHANGED",
                "新密码不能与当前密码相同",
                "the new password must differ from the current one",
            )
        )
    with ctx.uow() as uow:
        uow.begin_write()
        row = uow.registry.officer(officer.id)
        if row is None or not authentication.check_password(current, row.password_hash):
            errors.insert(
                0,
                FieldError(
                    "current_password",
                    "PASSWORD_WRONG",
                    "当前密码不正确",
                    "the current password is wrong",
                ),
            )
        if errors or row is None:  # no officer row: PASSWORD_WRONG is among the errors
            raise ValidationFailed(errors)
        _set_password(uow, ctx, row, new, officer.actor)
        uow.commit()
    return sessions.revoke_all(
        ctx, SessionKind.OFFICER, str(officer.id), officer.actor, "password_changed"
    )


def set_officer_password(
    ctx: ServiceContext, username: str, actor: str = "cli:operator"
) -> tuple[str, int]:
    """An operator sets a new generated password; returns it (shown once) and the number of the
    officer's sessions that ended."""
    password = _new_password()
    with ctx.uow() as uow:
        uow.begin_write()
        row = _officer(uow, username)
        _set_password(uow, ctx, row, password, actor)
        uow.commit()
        officer_id = row.id
    ended = sessions.revoke_all(ctx, SessionKind.OFFICER, str(officer_id), actor, "password_set")
    return password, ended


def _set_password(
    uow: UnitOfWork, ctx: ServiceContext, row: Officer, password: str, actor: str
) -> None:
    row.password_hash = authentication.hash_password(password)
    _event(uow, ctx, actor, "officer.password_changed", f"officer:{row.username}")


def _officer(uow: UnitOfWork, username: str) -> Officer:
    name = username.strip()
    row = uow.registry.officer_by_username(name) if authentication.usable(name) else None
    if row is None:
        shown = name if authentication.usable(name) else "?"  # never echo what cannot be printed
        raise NotFound(
            "OFFICER_UNKNOWN",
            f"未知的工作人员：{shown}",
            f"unknown officer {shown}",
            field="officer",
        )
    return row


# revocation by an administrator (CLI, or an admin officer within their region)


def revoke_officer(ctx: ServiceContext, username: str, by: OfficerPrincipal | None = None) -> int:
    with ctx.uow() as uow:
        row = _officer(uow, username)
        officer_id, region = row.id, row.region
    actor = _admin(by, region)
    return sessions.revoke_all(ctx, SessionKind.OFFICER, str(officer_id), actor, "administrator")


def revoke_institution_user(
    ctx: ServiceContext, username: str, by: OfficerPrincipal | None = None
) -> int:
    name = username.strip()
    with ctx.uow() as uow:
        user = (
            uow.registry.institution_user_by_username(name) if authentication.usable(name) else None
        )
        owner = uow.registry.institution(user.institution_id) if user is not None else None
        if user is None or owner is None:
            shown = name if authentication.usable(name) else "?"
            raise NotFound(
                "USER_UNKNOWN",
                f"未知的机构用户：{shown}",
                f"unknown institution user {shown}",
                field="institution_user",
            )
        user_id, region = user.id, owner.region
    actor = _admin(by, region)
    return sessions.revoke_all(ctx, SessionKind.INSTITUTION, str(user_id), actor, "administrator")


def revoke_holder(ctx: ServiceContext, id_number: str, by: OfficerPrincipal | None = None) -> int:
    try:
        number = parse_resident_id(id_number or "", today=ctx.today()).number
    except FieldError as error:
        raise FieldError("holder", error.code, error.message_zh, error.message_en) from None
    actor = _admin(by, number[:6])
    return sessions.revoke_all(ctx, SessionKind.HOLDER, number, actor, "administrator")


def _admin(by: OfficerPrincipal | None, region: str) -> str:
    """The actor of a revocation: the operator at the CLI, or an admin officer whose region
    covers the target's."""
    if by is None:
        return "cli:operator"
    if by.role != "admin":
        raise Forbidden(
            "ROLE_CANNOT_REVOKE_SESSIONS",
            f"角色「{by.role}」无权结束他人的登录",
            f"role {by.role!r} may not end other people's sessions",
        )
    if not by.covers(region):
        # Outside the admin's division the target is answered as unknown (docs/api.md: scope).
        raise NotFound(
            "SESSION_TARGET_UNKNOWN",
            "您的辖区内没有该用户",
            "no such user in your region",
        )
    return by.actor
