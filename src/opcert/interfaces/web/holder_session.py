"""The holder's session: a signed cookie naming the verified person, valid for two hours.

Signed with the pages' secret (HMAC-SHA256), so it needs no table; logging out deletes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from opcert.interfaces.web.pages import web_state

HOLDER_COOKIE = "opcert_holder"
CHALLENGE_COOKIE = "opcert_login"
LIFETIME = 2 * 3600


@dataclass(frozen=True)
class Holder:
    id_number: str
    name: str


def _sign(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def start_session(request: Request, response: Response, holder: Holder) -> None:
    expires = int(time.time()) + LIFETIME
    body = base64.urlsafe_b64encode(f"{holder.id_number}|{holder.name}|{expires}".encode()).decode()
    value = f"{body}.{_sign(web_state(request).secret, body)}"
    response.set_cookie(HOLDER_COOKIE, value, max_age=LIFETIME, httponly=True, samesite="lax")
    response.delete_cookie(CHALLENGE_COOKIE)


def current_holder(request: Request) -> Holder | None:
    value = request.cookies.get(HOLDER_COOKIE, "")
    body, _, signature = value.partition(".")
    if not body or not hmac.compare_digest(signature, _sign(web_state(request).secret, body)):
        return None
    try:
        id_number, name, expires = base64.urlsafe_b64decode(body).decode().split("|")
    except ValueError:
        return None
    return Holder(id_number, name) if int(expires) > time.time() else None


def end_session(response: Response) -> None:
    response.delete_cookie(HOLDER_COOKIE)
    response.delete_cookie(CHALLENGE_COOKIE)
