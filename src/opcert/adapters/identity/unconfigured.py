"""No identity provider (``OPCERT_IDENTITY_PROVIDER=none``): every holder login is refused with a
message that says why, instead of failing somewhere later."""

from __future__ import annotations

from opcert.domain.errors import Forbidden


def _refusal() -> Forbidden:
    return Forbidden(
        "IDENTITY_PROVIDER_MISSING",
        "实名认证服务未配置，请联系平台管理员",
        "no identity provider is configured",
    )


class UnconfiguredIdentityProvider:
    def confirm(self, id_number: str, name: str) -> None:
        raise _refusal()

    def face_check(self, id_number: str, name: str, evidence: str) -> bool:
        raise _refusal()
