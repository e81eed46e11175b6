"""Subscribers and the sharing list: register, list, disable, enable, rotate secrets, and an
employer's roster. Every change is in the ledger.

A subscriber's webhook secret (``whsec_``, Standard Webhooks) is shown once and kept sealed with
AES-256-GCM under the platform's webhook sealing key (``OPCERT_WEBHOOK_SECRET``); after a
rotation the previous secret still signs for ``ROTATION_OVERLAP`` so the receiver can switch
without losing a delivery. Its API key (``osk_``, for the pull feed and feedback) is kept as a
SHA-256 digest, like the institutions' keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from stdnum.cn import uscc as uscc_code
from stdnum.exceptions import ValidationError as NumberInvalid

from opcert.domain.divisions import is_known_division
from opcert.domain.errors import Conflict, FieldError, NotFound, Unauthorized, ValidationFailed
from opcert.domain.unsafe_text import check_text
from opcert.persistence.models import Subscriber
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing.addresses import check_url
from opcert.services.sharing.config import SharingConfig
from opcert.services.sharing.sharing_list import EVENT_TYPES, FIELDS

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
KEY_PREFIX = "osk_"
SIGNING = ("hmac", "ed25519")
ROTATION_OVERLAP = timedelta(hours=24)
NATIONAL = "000000"
CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass(frozen=True)
class NewSubscriber:
    code: str
    name: str
    url: str
    events: list[str]
    fields: list[str]
    regions: list[str]
    signing: str = "hmac"
    uscc: str | None = None


@dataclass(frozen=True)
class Registered:
    code: str
    api_key: str  # shown once
    secret: str | None  # the whsec_ secret (hmac), shown once


def key_digest(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


def checked_subscriber(new: NewSubscriber, allow_private: bool) -> NewSubscriber:
    """Every field checked; ``ValidationFailed`` names each bad one and says why."""
    errors: list[FieldError] = []

    def attempt(check: Any) -> Any:
        try:
            return check()
        except FieldError as error:
            errors.append(error)
            return None

    code = attempt(lambda: _code(new.code))
    name = attempt(lambda: _name(new.name))
    url = attempt(lambda: check_url(new.url, allow_private=allow_private))
    events = attempt(lambda: _listed("events", new.events, EVENT_TYPES))
    fields = attempt(lambda: _listed("fields", new.fields, FIELDS))
    regions = attempt(lambda: _regions(new.regions))
    if new.signing not in SIGNING:
        errors.append(
            FieldError(
                "signing",
                "SIGNING_UNKNOWN",
                "签名方式须为 hmac 或 ed25519",
                "signing must be hmac or ed25519",
            )
        )
    uscc = attempt(lambda: _uscc(new.uscc)) if new.uscc else None
    if errors:
        raise ValidationFailed(errors)
    return NewSubscriber(code, name, url, events, fields, regions, new.signing, uscc)


def _code(value: str) -> str:
    code = (value or "").strip()
    if not code or len(code) > 32 or not set(code) <= CODE_CHARS:
        raise FieldError(
            "code",
            "CODE_INVALID",
            "订阅方代码须为 1–32 位字母、数字、-、_ 或 .",
            "the subscriber code must be 1-32 letters, digits, '-', '_' or '.'",
        )
    return code


def _name(value: str) -> str:
    name = check_text((value or "").strip(), "name")
    if not name or len(name) > 200:
        raise FieldError(
            "name", "NAME_INVALID", "请填写订阅方名称（不超过 200 字）", "name: 1-200 characters"
        )
    return name


def _listed(field: str, values: list[str], allowed: tuple[str, ...]) -> list[str]:
    chosen = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    unknown = [v for v in chosen if v not in allowed]
    if not chosen or unknown:
        shown = "、".join(unknown) if unknown else "（空）"
        raise FieldError(
            field,
            "NOT_IN_SHARING_LIST",
            f"「{field}」须从共享清单中选择，至少一项；不在清单中：{shown}。可选：{', '.join(allowed)}",
            f"{field} must be chosen from the sharing list, at least one; not in it: "
            f"{', '.join(unknown) or '(empty)'}. Allowed: {', '.join(allowed)}",
        )
    return chosen


def _regions(values: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    bad = [v for v in chosen if v != NATIONAL and not (v.isdigit() and is_known_division(v))]
    if not chosen or bad:
        raise FieldError(
            "regions",
            "REGION_UNKNOWN",
            f"地区须为行政区划代码（如 440000、440300，全国为 000000）；无法识别：{'、'.join(bad) or '（空）'}",
            f"regions must be division codes (440000, 440300; 000000 for the whole country); "
            f"not known: {', '.join(bad) or '(empty)'}",
        )
    return chosen


def _uscc(value: str) -> str:
    try:
        return str(uscc_code.validate(value))
    except NumberInvalid as error:
        raise FieldError(
            "uscc",
            "USCC_INVALID",
            "统一社会信用代码无效（18 位，校验位须正确）",
            f"the unified social credit code is invalid: {error}",
        ) from None


def _seal(config: SharingConfig, code: str, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(config.sealing_key[:32]).encrypt(nonce, secret.encode(), code.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _unseal(config: SharingConfig, code: str, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode())
    return AESGCM(config.sealing_key[:32]).decrypt(raw[:12], raw[12:], code.encode()).decode()


def _new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_secrets(config: SharingConfig, row: Subscriber, now: datetime) -> list[str]:
    """The ``whsec_`` secrets that sign for an hmac subscriber now: the current one, and the
    previous one within ``ROTATION_OVERLAP`` of a rotation. [] for an ed25519 subscriber."""
    if not row.secret_box:
        return []
    box = json.loads(row.secret_box)
    found = [_unseal(config, row.code, box["current"])]
    until = box.get("previous_until")
    if box.get("previous") and until and datetime.fromisoformat(until) > now:
        found.append(_unseal(config, row.code, box["previous"]))
    return found


def add_subscriber(
    ctx: ServiceContext, config: SharingConfig, new: NewSubscriber, *, actor: str
) -> Registered:
    """Register a subscriber; its API key and (hmac) webhook secret are returned, shown once.
    ``ValidationFailed`` for bad fields, ``Conflict`` (SUBSCRIBER_EXISTS) for a taken code."""
    checked = checked_subscriber(new, config.allow_private_urls)
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)
    secret = _new_secret() if checked.signing == "hmac" else None
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        if uow.sharing.subscriber(checked.code) is not None:
            raise Conflict(
                "SUBSCRIBER_EXISTS",
                f"订阅方代码 {checked.code} 已被使用",
                f"subscriber code {checked.code} is taken",
                field="code",
            )
        box = json.dumps({"current": _seal(config, checked.code, secret)}) if secret else None
        row = Subscriber(
            code=checked.code, name=checked.name, url=checked.url, event_types=checked.events,
            fields=checked.fields, regions=checked.regions, signing=checked.signing,
            secret_box=box, key_prefix=api_key[:12], key_hash=key_digest(api_key),
            uscc=checked.uscc, active=True, created_at=now, updated_at=now,
        )  # fmt: skip
        uow.sharing.add(row)
        _ledger(uow, now, actor, "subscriber.added", checked.code, _grant(row))
        uow.commit()
    return Registered(checked.code, api_key, secret)


def _grant(row: Subscriber) -> dict[str, Any]:
    """The subscriber's line of the sharing list, as the ledger and the pages show it."""
    return {
        "name": row.name,
        "url": row.url,
        "events": list(row.event_types),
        "fields": list(row.fields),
        "regions": list(row.regions),
        "signing": row.signing,
        "uscc": row.uscc,
    }


def _ledger(
    uow: UnitOfWork, now: datetime, actor: str, kind: str, code: str, data: dict[str, Any]
) -> None:
    ledger.append(uow, [ledger.LedgerEvent(now, actor, kind, f"subscriber:{code}", data)])


def _locked(uow: UnitOfWork, code: str) -> Subscriber:
    row = uow.sharing.subscriber(code, lock=True)
    if row is None:
        raise NotFound(
            "SUBSCRIBER_NOT_FOUND", f"没有代码为 {code} 的订阅方", f"no subscriber {code}"
        )
    return row


def set_active(
    ctx: ServiceContext, code: str, active: bool, reason: str, *, actor: str
) -> Subscriber:
    """Disable (deliveries stop; what is pending waits) or enable a subscriber, with a reason."""
    reason = check_text((reason or "").strip(), "reason")
    if not reason:
        raise FieldError("reason", "REASON_REQUIRED", "请填写理由", "a reason is required")
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        row = _locked(uow, code)
        row.active, row.updated_at = active, now
        row.disabled_reason = None if active else reason[:200]
        kind = "subscriber.enabled" if active else "subscriber.disabled"
        _ledger(uow, now, actor, kind, code, {"reason": reason})
        uow.commit()
        return row


def rotate_secret(
    ctx: ServiceContext, config: SharingConfig, code: str, *, api_key: bool = False, actor: str
) -> str:
    """A new webhook secret (hmac; the previous one keeps signing for ``ROTATION_OVERLAP``), or
    with ``api_key`` a new API key (the old one stops at once). Returns it, shown once."""
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        row = _locked(uow, code)
        if api_key:
            shown = KEY_PREFIX + secrets.token_urlsafe(32)
            row.key_prefix, row.key_hash = shown[:12], key_digest(shown)
        elif row.signing != "hmac" or not row.secret_box:
            raise Conflict(
                "NO_SECRET",
                "该订阅方使用平台 Ed25519 公钥验签，没有共享密钥可轮换；如需更换 API 密钥请用 --api-key",
                "this subscriber verifies with the platform's Ed25519 key and has no shared "
                "secret; use --api-key to rotate its API key",
            )
        else:
            shown = _new_secret()
            previous = json.loads(row.secret_box)["current"]
            row.secret_box = json.dumps(
                {
                    "current": _seal(config, code, shown),
                    "previous": previous,
                    "previous_until": (now + ROTATION_OVERLAP).isoformat(),
                }
            )
        row.updated_at = now
        what = "api_key" if api_key else "webhook_secret"
        _ledger(uow, now, actor, "subscriber.secret_rotated", code, {"rotated": what})
        uow.commit()
    return shown


def authenticate(ctx: ServiceContext, api_key: str | None) -> Subscriber:
    """The active subscriber holding ``api_key``; ``Unauthorized`` otherwise."""
    if not api_key or not api_key.strip().startswith(KEY_PREFIX):
        raise Unauthorized(
            "SUBSCRIBER_KEY_MISSING",
            "缺少订阅方 API 密钥（Authorization: Bearer osk_...）",
            "missing subscriber API key (Authorization: Bearer osk_...)",
            field="Authorization",
        )
    with ctx.reader() as uow:
        row = uow.sharing.subscriber_by_key(key_digest(api_key))
        if row is None or not row.active:
            raise Unauthorized(
                "SUBSCRIBER_KEY_INVALID",
                "订阅方 API 密钥无效或订阅已停用",
                "the subscriber API key is invalid or the subscription is disabled",
                field="Authorization",
            )
        uow.session.expunge(row)
        return row


def list_subscribers(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.reader() as uow:
        return [
            {"code": r.code, "active": r.active, "disabled_reason": r.disabled_reason,
             "key_prefix": r.key_prefix, "created_at": r.created_at.isoformat(), **_grant(r)}
            for r in uow.sharing.subscribers()
        ]  # fmt: skip
