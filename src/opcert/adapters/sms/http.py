"""An SMS relay over HTTP (``OPCERT_SMS_GATEWAY=http``): one JSON POST per message to
``OPCERT_SMS_GATEWAY_URL`` with ``Authorization: Bearer OPCERT_SMS_GATEWAY_TOKEN``::

    {"phone": "13800000000", "text": "…", "client_message_id": "…"}

Any 2xx answer means accepted. A "phone" that is not an 11-digit number (a holder with no phone
on record) is refused before anything is sent. The relay (the operator's bridge to their contracted SMS vendor)
deduplicates on ``client_message_id``. A refusal or no answer raises ``Unavailable``: nothing
was sent, the caller may try again.
"""

from __future__ import annotations

import logging

import httpx

from opcert.domain.errors import Forbidden, Unavailable

log = logging.getLogger(__name__)


class HttpSmsGateway:
    def __init__(self, url: str, token: str, *, timeout: float = 5.0) -> None:
        self.url, self._token, self.timeout = url, token, timeout

    def submit(self, *, phone: str, text: str, client_message_id: str) -> None:
        if not (len(phone) == 11 and phone.isdigit()):
            # A holder with no phone on record: the development outbox shows such codes; a
            # real gateway has nowhere to send them.
            raise Forbidden(
                "SMS_NO_PHONE",
                "名下没有登记可接收短信的手机号，请联系发证机关",
                "there is no phone on record to send the message to",
            )
        body = {"phone": phone, "text": text, "client_message_id": client_message_id}
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            answer = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            log.warning("SMS relay unreachable: %s", type(error).__name__)
            raise _not_sent() from None
        if not answer.is_success:
            log.warning("SMS relay refused a message: HTTP %s", answer.status_code)
            raise _not_sent()


def _not_sent() -> Unavailable:
    return Unavailable(
        "SMS_NOT_SENT", "短信发送失败，请稍后再试", "the text message was not sent: try again later"
    )
