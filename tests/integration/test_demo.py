"""`opcert demo` gives a new user a living system: several provinces, every state."""

from __future__ import annotations

from collections import Counter

from opcert.persistence.models import Application, Certificate
from opcert.services.demo import load_demo
from opcert.services.verification.query import certificate_json


def test_the_demo_covers_several_provinces_and_every_certificate_and_application_state(ctx):
    load_demo(ctx)
    with ctx.uow() as uow:
        rows = uow.session.query(Certificate).all()
        statuses = Counter(certificate_json(row, ctx.today())["status"] for row in rows)
        applications = Counter(a.status for a in uow.session.query(Application).all())
        provinces = {row.authority_code[3:5] for row in rows}
    assert {"valid", "expired", "lapsed", "revoked", "cancelled", "suspended"} <= set(statuses)
    assert {"issued", "in_review", "rejected"} <= set(applications)
    assert len(provinces) >= 5


def test_running_the_demo_twice_changes_nothing(ctx):
    load_demo(ctx)
    with ctx.uow() as uow:
        before = uow.session.query(Certificate).count()
    assert "已载入" in load_demo(ctx)[0]
    with ctx.uow() as uow:
        assert uow.session.query(Certificate).count() == before
