"""No SMS gateway (``OPCERT_SMS_GATEWAY=none``): a message that must be sent now (a login code,
a phone-change code) is refused with a message that says why."""

from __future__ import annotations

from opcert.domain.errors import Forbidden


class UnconfiguredSmsGateway:
    def submit(self, *, phone: str, text: str, client_message_id: str) -> None:
        raise Forbidden(
            "SMS_GATEWAY_MISSING",
            "短信服务未配置，请联系平台管理员",
            "no SMS gateway is configured",
        )
