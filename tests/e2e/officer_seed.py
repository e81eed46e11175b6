"""Seed data for the officer journeys: a Zhuhai officer, applications with a failed check in
Chongqing's queue, and enough Zhuhai certificates to search by part of a name and to page."""

from __future__ import annotations

from datetime import date

from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.registry import parties as registry
from tests.integration.builders import id_number, make_result

ZHUHAI_OFFICER = "zh"
# A man born in 1950 is past retirement age: the age check fails and an officer must decide.
OVERRIDE_NAME, UNDECIDED_NAME = "钱七", "周九"
REVOKE_NAME = "吴十"
MINORITY_NAME = "阿依古丽·买买提"
MANY_SURNAME, MANY = "陈", 21  # one more than a page
GIVEN = "一二三四五六七八九十百千万东南西北春夏秋冬"


def seed_officer_world(
    ctx: ServiceContext, zhuhai: InstitutionPrincipal, chongqing: InstitutionPrincipal, day: str
) -> str:
    """Seed the officer journeys' data; returns the certificate number the revoke journey uses."""
    registry.add_officer(
        ctx, username=ZHUHAI_OFFICER, region="440400", password="correct horse battery staple"
    )
    old = [
        make_result(
            id_number=id_number(division="500103", born=date(1950, 3, 1), seq=70 + i),
            name=name,
            exam_date=day,
            exam_point="EP-500000-01",
        )
        for i, name in enumerate((OVERRIDE_NAME, UNDECIDED_NAME))
    ]
    outcomes = submit_results(ctx, chongqing, old)
    assert [o.outcome for o in outcomes] == ["in_review", "in_review"], outcomes
    zhuhai_rows = [
        make_result(id_number=id_number(seq=80), name=REVOKE_NAME, exam_date=day),
        make_result(id_number=id_number(seq=81), name=MINORITY_NAME, exam_date=day),
        *(
            make_result(id_number=id_number(seq=100 + i), name=MANY_SURNAME + given, exam_date=day)
            for i, given in enumerate(GIVEN[:MANY])
        ),
    ]
    issued = submit_results(ctx, zhuhai, zhuhai_rows)
    assert all(o.outcome == "issued" for o in issued), issued
    return str(issued[0].certificate_no)
