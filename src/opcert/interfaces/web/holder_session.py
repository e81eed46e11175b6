"""The holder's session: a cookie holding a random token of a server-side session
(``services.sessions``), made once from a verified login challenge, ended at logout."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from opcert.domain.sessions import SessionKind
from opcert.interfaces.web.pages import ctx_of
from opcert.interfaces.web.session_cookies import HOLDER_COOKIE, delete_cookie, set_cookie
from opcert.services.kernel import sessions

CHALLENGE_COOKIE = "opcert_login"
CHALLENGE_LIFETIME = 600


@dataclass(frozen=True)
class Holder:
    id_number: str
    name: str

    @property
    def actor(self) -> str:
        return f"holder:{self.id_number}"


def _hours(request: Request) -> int:
    hours: int = request.app.state.platform.settings.holder_session_hours
    return hours


def start_session(request: Request, response: Response, holder: Holder) -> None:
    token = sessions.start(
        ctx_of(request),
        SessionKind.HOLDER,
        holder.id_number,
        _hours(request),
        {"name": holder.name},
    )
    set_cookie(request, response, HOLDER_COOKIE, token, max_age=_hours(request) * 3600)
    delete_cookie(request, response, CHALLENGE_COOKIE)


def current_holder(request: Request) -> Holder | None:
    record = sessions.current(
        ctx_of(request), SessionKind.HOLDER, request.cookies.get(HOLDER_COOKIE)
    )
    return Holder(record.subject, record.data.get("name", "")) if record else None


def end_session(request: Request, response: Response) -> None:
    holder = current_holder(request)
    if holder is not None:
        sessions.end(
            ctx_of(request), SessionKind.HOLDER, request.cookies.get(HOLDER_COOKIE), holder.actor
        )
    delete_cookie(request, response, HOLDER_COOKIE)
    delete_cookie(request, response, CHALLENGE_COOKIE)


def set_challenge(request: Request, response: Response, challenge_id: str) -> None:
    set_cookie(request, response, CHALLENGE_COOKIE, challenge_id, max_age=CHALLENGE_LIFETIME)
