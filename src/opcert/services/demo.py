"""``opcert demo``: a living system for a new user, built through the real pipeline.

Institutions and exam points in several provinces, officers, and a few hundred candidates whose
results go through intake exactly as an exam institution's would. Some results are sent under
an earlier clock, so that certificates exist in every state: valid, under review, rejected,
revoked, expired, and lapsed for a review missed before 2026-06-01.
"""

from __future__ import annotations

import dataclasses
import random
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from stdnum.cn import ric

from opcert.domain.certificates import issuer_code
from opcert.domain.clock import SHANGHAI, FixedClock
from opcert.domain.errors import Conflict
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import accounts, production
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal
from opcert.services.lifecycle import acts
from opcert.services.registry import parties as registry
from opcert.services.review import decisions as approval

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏飞俊峰海燕"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - development demo data, printed by the command

SITES = [
    # institution code, name, region, exam point code, point name, items (None: all), lat, lon
    (
        "EXAM-440400",
        "珠海市安全生产考试中心",
        "440402",
        "EP-440400-01",
        "珠海市香洲区考试点",
        None,
        22.27,
        113.57,
    ),
    (
        "EXAM-500000",
        "重庆市安全技术考试中心",
        "500103",
        "EP-500000-01",
        "重庆市渝中区考试点",
        None,
        29.56,
        106.57,
    ),
    (
        "EXAM-110000",
        "北京市安全生产考试中心",
        "110105",
        "EP-110000-01",
        "北京市朝阳区考试点",
        ["1.1", "1.2", "2.1", "3.1", "4.1"],
        39.92,
        116.44,
    ),
    (
        "EXAM-320000",
        "江苏省安全生产考试中心",
        "320102",
        "EP-320000-01",
        "南京市玄武区考试点",
        None,
        32.05,
        118.80,
    ),
    (
        "EXAM-510000",
        "四川省安全生产考试中心",
        "510104",
        "EP-510000-01",
        "成都市锦江区考试点",
        None,
        30.66,
        104.08,
    ),
]
TRAINERS = [
    ("TRAIN-440400-01", "珠海市安全技能培训学校", "440402", 22.26, 113.55),
    ("TRAIN-500000-01", "重庆市安全技术培训中心", "500103", 29.55, 106.55),
    ("TRAIN-320000-01", "南京市特种作业培训学校", "320102", 32.04, 118.79),
]
ITEM_WEIGHTS = [
    ("1.2", 30),
    ("1.1", 12),
    ("2.1", 25),
    ("3.1", 8),
    ("3.2", 6),
    ("4.1", 5),
    ("4.2", 3),
    ("1.3", 3),
    ("9.16", 3),
    ("8.1", 2),
    ("5.4", 2),
    ("6.8", 1),
]


def make_id_number(rng: random.Random, division: str, born: date, sex: int) -> str:
    sequence = rng.randrange(0, 50) * 2 + (1 if sex == 1 else 0)
    body = f"{division}{born:%Y%m%d}{rng.randrange(0, 10)}{sequence:02d}"
    return body + str(ric.calc_check_digit(body + "0"))  # stdnum expects a placeholder check digit


def _person(rng: random.Random, region: str, on: date) -> tuple[str, str]:
    sex = rng.choice([1, 1, 1, 2])
    age = rng.randint(20, 48 if sex == 2 else 58)
    born = on - timedelta(days=age * 365 + rng.randrange(365))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
    return make_id_number(rng, region, born, sex), name


def _item(rng: random.Random) -> str:
    codes = [code for code, _ in ITEM_WEIGHTS]
    return rng.choices(codes, [weight for _, weight in ITEM_WEIGHTS])[0]


def _at(ctx: ServiceContext, moment: datetime) -> ServiceContext:
    return dataclasses.replace(ctx, clock=FixedClock(moment))


def _institutions(ctx: ServiceContext) -> dict[str, InstitutionPrincipal]:
    principals = {}
    for code, name, region, point, point_name, items, lat, lon in SITES:
        with suppress(Conflict):
            registry.add_institution(
                ctx,
                code=code,
                name=name,
                region=region,
                kind="exam",
                address=f"{point_name}",
                latitude=lat,
                longitude=lon,
            )
            registry.add_exam_point(
                ctx,
                institution=code,
                code=point,
                name=point_name,
                region=region,
                items=items,
                address=point_name,
                latitude=lat,
                longitude=lon,
            )
        with suppress(Conflict):
            # The web login of the institution (the API key opens only the API).
            accounts.add_institution_user(
                ctx,
                institution=code,
                username=code.lower(),
                password=DEMO_PASSWORD,
                actor="demo",
            )
        with ctx.uow() as uow:
            row = uow.registry.institution_by_code(code)
            if row is None:
                raise RuntimeError(f"demo institution {code} was not stored")
            principals[code] = InstitutionPrincipal(row.id, row.code, row.name)
    for code, name, region, lat, lon in TRAINERS:
        with suppress(Conflict):
            registry.add_institution(
                ctx,
                code=code,
                name=name,
                region=region,
                kind="training",
                address=name,
                latitude=lat,
                longitude=lon,
            )
    return principals


def _officers(ctx: ServiceContext) -> dict[str, OfficerPrincipal]:
    found = {}
    for username, region, role in [
        ("zhuhai", "440400", "approver"),
        ("chongqing", "500000", "approver"),
        ("beijing", "110000", "approver"),
        ("jiangsu", "320000", "approver"),
        ("inspector", "440000", "inspector"),
        ("admin", "000000", "admin"),
    ]:
        with suppress(Conflict):
            registry.add_officer(
                ctx, username=username, region=region, role=role, password=DEMO_PASSWORD
            )
        with ctx.uow() as uow:
            officer = uow.registry.officer_by_username(username)
            if officer is None:
                raise RuntimeError(f"demo officer {username} was not stored")
            found[username] = OfficerPrincipal(
                officer.id, officer.username, officer.region, officer.role
            )
    return found


def _rows(
    rng: random.Random, site: tuple[Any, ...], on: date, count: int, tag: str
) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        id_number, name = _person(rng, site[2], on)
        theory = rng.choice([rng.randint(80, 98)] * 8 + [rng.randint(50, 79)] * 2)
        practical = rng.randint(80, 100) if rng.random() < 0.9 else rng.randint(55, 79)
        rows.append(
            {
                "ref": f"DEMO-{tag}-{n:04d}",
                "id_number": id_number,
                "name": name,
                "item": _item(rng),
                "theory_score": theory,
                "practical_score": practical,
                "exam_date": (on - timedelta(days=rng.randint(0, 3))).isoformat(),
                "exam_point": site[3],
                "phone": f"13{rng.randint(100000000, 999999999)}",
                "training_institution": rng.choice(
                    [None, TRAINERS[0][0], TRAINERS[1][0], TRAINERS[2][0]]
                ),
            }
        )
    return rows


def load_demo(ctx: ServiceContext) -> list[str]:
    """Load the demonstration data; running it twice changes nothing the second time."""
    rng = random.Random(20261120)
    with ctx.uow() as uow:
        # First, the marker by which production recognises demo data (services.production);
        # a database that `opcert init` marked as production refuses it here.
        uow.begin_write()
        production.mark_demo(uow, ctx.now())
        uow.commit()
    with ctx.uow() as uow:
        if uow.registry.institution_by_code(SITES[0][0]) is not None:
            return ["演示数据早已载入，未作改动 / the demo data is already loaded; nothing changed"]
    principals = _institutions(ctx)
    officers = _officers(ctx)
    counts: dict[str, int] = {}
    history = [  # (moment, tag): older batches give expired, lapsed and review-free certificates
        (datetime(2019, 6, 12, 10, tzinfo=SHANGHAI), "2019"),
        (datetime(2021, 3, 16, 10, tzinfo=SHANGHAI), "2021"),
        (datetime(2023, 9, 19, 10, tzinfo=SHANGHAI), "2023"),
        (datetime(2026, 7, 7, 10, tzinfo=SHANGHAI), "2026A"),
        (ctx.now() - timedelta(hours=2), "NOW"),
    ]
    with ctx.uow() as uow:
        uow.begin_write()
        ctx.keys.backdate_for_demo(uow, min(moment for moment, _ in history))
        uow.commit()
    for moment, tag in history:
        past = _at(ctx, moment)
        for site in SITES:
            rows = _rows(
                rng,
                site,
                moment.astimezone(SHANGHAI).date(),
                12 if tag != "NOW" else 30,
                f"{tag}-{site[0]}",
            )
            for outcome in submit_results(past, principals[site[0]], list(rows)):
                counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    registry.set_auto_approve(ctx, "CN-500000", False)
    _review_cases(ctx, rng, principals, officers)
    return [
        f"演示数据已载入 / demo data loaded: {counts}",
        f"工作人员账号 / officers: zhuhai, chongqing, beijing, jiangsu, inspector, admin; "
        f"密码 / password: {DEMO_PASSWORD}",
        f"机构网页账号 / institution web users (/institution/login): "
        f"{', '.join(site[0].lower() for site in SITES)}; 密码 / password: {DEMO_PASSWORD}",
        "机构 API 密钥可用 opcert institutions new-key EXAM-440400 获取 / get an API key with "
        "opcert institutions new-key EXAM-440400",
    ]


def _review_cases(
    ctx: ServiceContext,
    rng: random.Random,
    principals: dict[str, InstitutionPrincipal],
    officers: dict[str, OfficerPrincipal],
) -> None:
    today = ctx.today()
    site = SITES[1]  # Chongqing reviews every application by hand
    rows = _rows(rng, site, today, 8, "REVIEW")
    for row in rows:
        row["theory_score"], row["practical_score"] = 88, 90
    old_id, old_name = make_id_number(rng, "500103", date(1958, 3, 2), 1), "周德福"
    rows.append({**rows[0], "ref": "DEMO-REVIEW-OLD", "id_number": old_id, "name": old_name})
    outcomes = submit_results(ctx, principals[site[0]], rows)
    pending = [o.application_id for o in outcomes if o.outcome == "in_review" and o.application_id]
    chongqing = officers["chongqing"]
    for app_id in pending[:3]:
        approval.decide(ctx, chongqing, app_id, "approve", "材料齐全，准予发证")
    if len(pending) > 3:
        approval.decide(ctx, chongqing, pending[3], "reject", "身份信息与考试记录不一致")
    with ctx.uow() as uow:
        issued = [
            (c.number, c.item_code)
            for c in uow.certificates.search("", issuer_code("44"), limit=10)
            if c.state == "active"
        ]
    for number, item in issued[:1]:
        acts.revoke(ctx, number, item, "以欺骗手段取得证书", ground="deception")
    _lifecycle_cases(ctx, issued[1:])


def _lifecycle_cases(ctx: ServiceContext, issued: list[tuple[str, str]]) -> None:
    """A suspended, a cancelled and a corrected certificate (superseded version), so every
    status shows up in the demo."""
    if len(issued) < 3:
        return
    acts.suspend(ctx, *issued[0], "停工调查期间暂停使用", actor="demo")
    acts.cancel(ctx, *issued[1], "request", actor="demo")
    with ctx.uow() as uow:
        row = uow.certificates.get(*issued[2])
        name = row.name if row is not None else ""
    corrected = name[:-1] + ("华" if not name.endswith("华") else "明")  # a mistyped character
    acts.correct(ctx, *issued[2], name=corrected, reason="更正姓名用字", actor="demo")
