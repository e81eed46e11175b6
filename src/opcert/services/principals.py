"""Who is calling: an exam institution by API key, an officer by token, or the anonymous public."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.domain.errors import Forbidden

DECIDING_ROLES = frozenset({"approver", "admin"})
ROLES = ("approver", "inspector", "analyst", "admin")


@dataclass(frozen=True)
class InstitutionPrincipal:
    id: int
    code: str
    name: str

    @property
    def actor(self) -> str:
        return f"institution:{self.code}"


@dataclass(frozen=True)
class OfficerPrincipal:
    id: int
    username: str
    region: str
    role: str

    @property
    def actor(self) -> str:
        return f"officer:{self.username}"

    @property
    def region_prefix(self) -> str:
        """Officers see their division and everything below it: 440000 → "44", 440400 → "4404"."""
        if self.region == "000000":
            return ""
        if self.region.endswith("0000"):
            return self.region[:2]
        if self.region.endswith("00"):
            return self.region[:4]
        return self.region

    def covers(self, region: str) -> bool:
        return region.startswith(self.region_prefix)

    def require_region(self, region: str) -> None:
        if not self.covers(region):
            raise Forbidden(
                "OUT_OF_REGION",
                f"该事项属于其他地区（{region}），您的辖区为 {self.region}",
                f"this matter belongs to region {region}; your region is {self.region}",
            )

    def require_decider(self) -> None:
        if self.role not in DECIDING_ROLES:
            raise Forbidden(
                "ROLE_CANNOT_DECIDE",
                f"角色「{self.role}」无权审批",
                f"role {self.role!r} may not decide applications",
            )
