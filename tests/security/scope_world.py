"""The data of the region-scope matrix: objects of four issuing authorities (certificates,
applications, identity reviews, clues) and one officer of each role at each level, each logged
in through the public routes only (the officer login form and ``POST /api/v1/auth/token``)."""

from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi.testclient import TestClient
from PIL import Image

from opcert.services.holders import identity_reviews
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.registry import parties as registry
from opcert.services.review import decisions as approval
from opcert.services.verification import clues
from tests.integration.builders import World, id_number, make_result
from tests.integration.web_pages import post_form

ROLES = ("approver", "admin", "inspector", "analyst")
# The officer's division for each level, seen from the Zhuhai objects of the matrix.
LEVELS = {
    "city": "440400",  # Zhuhai itself
    "other_city": "440100",  # Guangzhou, same province
    "province": "440000",  # Guangdong
    "other_province": "500000",  # Chongqing
    "national": "000000",
}
# site → (exam point code, its division, the authority that issues there)
SITES = {
    "zhuhai": ("EP-440400-01", "440402", "CN-440400"),  # a city with its own bureau
    "guangzhou": ("EP-440100-01", "440106", "CN-440100"),  # another city with its own bureau
    "guangdong": ("EP-440600-01", "440604", "CN-440000"),  # Foshan: the province issues
    "chongqing": ("EP-500000-01", "500103", "CN-500000"),  # another province
}
PASSWORD = World.password
_born = itertools.count()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 180, 160)).save(out, format="PNG")
    return out.getvalue()


PHOTO = _png()


@dataclass
class Site:
    """What one authority holds: kept objects for reading, fresh ones made for each act."""

    name: str
    exam_point: str
    division: str
    authority: str
    application: str = ""
    certificate: tuple[str, str] = ("", "")
    review: int = 0
    review_id_number: str = ""
    clue: str = ""


@dataclass
class Login:
    cookies: dict[str, str]
    bearer: dict[str, str]


@dataclass
class ScopeWorld:
    ctx: ServiceContext
    world: World
    issuer: OfficerPrincipal
    sites: dict[str, Site] = field(default_factory=dict)
    logins: dict[tuple[str, str], Login] = field(default_factory=dict)

    @classmethod
    def create(cls, ctx: ServiceContext, client: TestClient) -> ScopeWorld:
        world = World.create(ctx)
        for site, (point, division, authority) in SITES.items():
            registry.set_auto_approve(ctx, authority, False)
            if site in ("guangzhou", "guangdong"):
                registry.add_exam_point(
                    ctx, institution="EXAM-ZH", code=point, name=f"{site}考试点", region=division
                )
        registry.add_officer(ctx, username="scope-issuer", region="000000", role="admin")
        with ctx.uow() as uow:
            row = uow.registry.officer_by_username("scope-issuer")
            assert row is not None
            issuer = OfficerPrincipal(row.id, row.username, row.region, row.role)
        made = cls(ctx, world, issuer)
        for name, (point, division, authority) in SITES.items():
            site = Site(name, point, division, authority)
            site.application = made.fresh_application(name)
            site.certificate = made.fresh_certificate(name)
            site.review_id_number = made.person(name)
            site.review = made.fresh_review(name, site.review_id_number)
            site.clue = made.fresh_clue(name)
            made.sites[name] = site
        for role in ROLES:
            for level, region in LEVELS.items():
                made.logins[role, level] = made.login(client, f"{role}-{level}", region, role)
        return made

    def person(self, site: str) -> str:
        """A fresh resident ID registered in the site's division."""
        return id_number(SITES[site][1], born=date(1970, 1, 1) + timedelta(days=next(_born)), seq=7)

    def fresh_application(self, site: str) -> str:
        """An application in review with the site's authority, every automatic check passed."""
        principal = self.world.chongqing if site == "chongqing" else self.world.zhuhai
        row = make_result(exam_point=SITES[site][0], id_number=self.person(site))
        [outcome] = submit_results(self.ctx, principal, [row])
        assert outcome.outcome == "in_review", outcome
        assert outcome.application_id
        with self.ctx.uow() as uow:
            filed = uow.applications.get(outcome.application_id)
            assert filed is not None
            assert filed.authority_code == SITES[site][2]
            assert filed.review_reasons == ["AUTHORITY_REVIEWS_ALL"], filed.review_reasons
        return outcome.application_id

    def fresh_certificate(self, site: str) -> tuple[str, str]:
        """An active certificate issued by the site's authority: (number, item)."""
        decided = approval.decide(
            self.ctx, self.issuer, self.fresh_application(site), "approve", None
        )
        assert decided.certificate_no
        return decided.certificate_no, "1.2"

    def fresh_review(self, site: str, number: str | None = None) -> int:
        return identity_reviews.request_review(
            self.ctx, number or self.person(site), "李四", PHOTO, "image/png"
        )

    def fresh_clue(self, site: str) -> str:
        marker = f"线索{uuid.uuid4().hex[:12]}"
        clues.report_fake(
            self.ctx, details=f"工地上见到可疑证书 {marker}", id_number=self.person(site)
        )
        return marker

    def login(self, client: TestClient, username: str, region: str, role: str) -> Login:
        registry.add_officer(
            self.ctx, username=username, region=region, role=role, password=PASSWORD
        )
        client.cookies.clear()
        page = post_form(
            client, "/officer/login", "/officer/login", {"username": username, "password": PASSWORD}
        )
        assert page.status_code == 303, page.text
        cookies = dict(client.cookies)
        client.cookies.clear()
        api = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert api.status_code == 200, api.text
        return Login(cookies, {"Authorization": f"Bearer {api.json()['access_token']}"})

    def officer(self, role: str, level: str) -> OfficerPrincipal:
        with self.ctx.uow() as uow:
            row = uow.registry.officer_by_username(f"{role}-{level}")
            assert row is not None
            return OfficerPrincipal(row.id, row.username, row.region, row.role)
