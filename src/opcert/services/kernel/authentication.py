"""Authentication: institutions by API key, officers by password and session token.

Split out of the registry (issue 15): registering a party and proving who is calling are two
capabilities; every entry point (API, web, CLI) authenticates through this module.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from opcert.domain.errors import Unauthorized
from opcert.domain.sessions import SessionKind
from opcert.persistence.models import ApiKey
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel import sessions
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal

API_KEY_PREFIX = "opk_"


SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


# Checked when there is no account, so that a login costs one scrypt either way; no password has
# this digest (all zero bytes), so it never matches.
DUMMY_HASH = "scrypt$" + "00" * 16 + "$" + "00" * 32


def issue_api_key(uow: UnitOfWork, ctx: ServiceContext, institution_id: int) -> str:
    secret = secrets.token_urlsafe(32)
    key = f"{API_KEY_PREFIX}{secret}"
    uow.registry.add(
        ApiKey(
            institution_id=institution_id,
            prefix=key[:12],
            key_hash=api_key_digest(key),
            created_at=ctx.now(),
        )
    )
    return key


def api_key_digest(key: str) -> str:
    # API keys carry 256 bits of entropy, so a plain SHA-256 is enough and keeps lookups O(1).
    return hashlib.sha256(key.encode()).hexdigest()


def authenticate_institution(ctx: ServiceContext, api_key: str | None) -> InstitutionPrincipal:
    if not api_key:
        raise Unauthorized(
            "API_KEY_MISSING",
            "缺少机构 API 密钥（Authorization: Bearer ...）",
            "missing institution API key (Authorization: Bearer ...)",
            field="Authorization",
        )
    with ctx.uow() as uow:
        row = uow.registry.api_key_by_hash(api_key_digest(api_key.strip()))
        institution = uow.registry.institution(row.institution_id) if row else None
        if institution is None or not institution.active or institution.kind != "exam":
            raise Unauthorized(
                "API_KEY_INVALID",
                "机构 API 密钥无效或已停用",
                "the institution API key is invalid or revoked",
                field="Authorization",
            )
        return InstitutionPrincipal(institution.id, institution.code, institution.name)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    # surrogatepass: a password with a lone surrogate is simply wrong, not an encoding error.
    candidate = hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"), salt=bytes.fromhex(salt), **SCRYPT
    )
    return hmac.compare_digest(candidate.hex(), digest)


def usable(name: str) -> bool:
    """Whether a username can be looked up at all: printable, so no NUL (PostgreSQL refuses it
    in text) and no lone surrogate (not UTF-8)."""
    return bool(name) and len(name) <= 200 and name.isprintable()


def verify_password(password: str, stored: str | None) -> bool:
    """Check a password against a stored hash, or run the same scrypt against a dummy hash when
    there is no account: the answer takes as long whether or not the user exists."""
    if stored is None:
        check_password(password, DUMMY_HASH)
        return False
    return check_password(password, stored)


def login_failed() -> Unauthorized:
    return Unauthorized(
        "LOGIN_FAILED", "用户名或密码错误", "wrong username or password", field="password"
    )


def officer_login(ctx: ServiceContext, username: str, password: str) -> str:
    """A new officer session; returns its token. The same error, after the same work, for an
    unknown user, an inactive one and a wrong password."""
    with ctx.uow() as uow:
        # A name no account can have (control characters, lone surrogates) is not looked up.
        officer = uow.registry.officer_by_username(username.strip()) if usable(username) else None
        stored = officer.password_hash if officer is not None and officer.active else None
        matches = verify_password(password, stored)  # before any branch: same work either way
        if officer is None or not matches:
            raise login_failed()
        officer_id = officer.id
    return sessions.start(ctx, SessionKind.OFFICER, str(officer_id), ctx.officer_token_hours)


def authenticate_officer(ctx: ServiceContext, token: str | None) -> OfficerPrincipal:
    record = sessions.require(ctx, SessionKind.OFFICER, token)
    with ctx.uow() as uow:
        officer = uow.registry.officer(int(record.subject))
        if officer is None or not officer.active:
            raise Unauthorized(
                "TOKEN_INVALID",
                "登录已失效，请重新登录",
                "session expired; log in again",
                field="Authorization",
            )
        return OfficerPrincipal(officer.id, officer.username, officer.region, officer.role)
