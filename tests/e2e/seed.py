"""Seed data for the browser journeys, written straight through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from opcert.bootstrap import build
from opcert.services.intake.pipeline import submit_results
from opcert.services.kernel import accounts, authentication
from opcert.services.kernel.context import ServiceContext
from opcert.services.lifecycle import acts
from opcert.services.registry import parties as registry
from opcert.services.verification import query as certificates
from opcert.settings import Settings
from tests.e2e.officer_seed import seed_officer_world
from tests.integration import analytics_world
from tests.integration.builders import id_number, make_result

PASSWORD = "correct horse battery staple"


@dataclass
class Seeded:
    valid_id: str
    valid_name: str
    revoked_id: str
    review_id: str
    review_name: str
    api_key: str
    valid_qr: Path
    revoked_qr: Path
    institution_user: str = "zh-upload"
    institution_password: str = PASSWORD


def seed(data_dir: Path) -> Seeded:
    platform = build(Settings(data_dir=data_dir, env="development"))
    ctx = platform.ctx
    exam_day = (ctx.today() - timedelta(days=1)).isoformat()
    zh = registry.add_institution(
        ctx,
        code="EXAM-ZH",
        name="珠海市安全生产考试中心",
        region="440402",
        kind="exam",
        address="珠海市香洲区人民东路 1 号",
        latitude=22.27,
        longitude=113.58,
    )
    cq = registry.add_institution(
        ctx,
        code="EXAM-CQ",
        name="重庆市安全技术考试中心",
        region="500103",
        kind="exam",
        address="重庆市渝中区解放碑 2 号",
        latitude=29.56,
        longitude=106.57,
    )
    registry.add_institution(
        ctx,
        code="TRAIN-ZH",
        name="珠海市安全培训学校",
        region="440402",
        kind="training",
        address="珠海市香洲区 3 号",
        latitude=22.25,
        longitude=113.55,
    )
    registry.add_exam_point(
        ctx, institution="EXAM-ZH", code="EP-440400-01", name="香洲考试点", region="440402"
    )
    registry.add_exam_point(
        ctx, institution="EXAM-CQ", code="EP-500000-01", name="渝中考试点", region="500103"
    )
    registry.add_officer(ctx, username="cq", region="500000", password=PASSWORD)
    accounts.add_institution_user(
        ctx, institution="EXAM-ZH", username="zh-upload", password=PASSWORD
    )
    registry.set_auto_approve(ctx, "CN-500000", False)
    sharing_key = seed_sharing(ctx)  # --- sharing --- (before any act: its events reach them)
    assert zh.api_key and cq.api_key
    zh_principal = authentication.authenticate_institution(ctx, zh.api_key)
    cq_principal = authentication.authenticate_institution(ctx, cq.api_key)
    valid = make_result(id_number=id_number(seq=11), name="李四", exam_date=exam_day)
    revoked = make_result(id_number=id_number(seq=12), name="赵六", exam_date=exam_day)
    review = make_result(
        id_number=id_number(division="500103", seq=13),
        name="王五",
        exam_date=exam_day,
        exam_point="EP-500000-01",
    )
    outcomes = submit_results(ctx, zh_principal, [valid, revoked])
    assert [o.outcome for o in outcomes] == ["issued", "issued"], outcomes
    [queued] = submit_results(ctx, cq_principal, [review])
    assert queued.outcome == "in_review", queued
    acts.revoke(ctx, "T" + revoked["id_number"], "1.2", "以欺骗手段取得", ground="deception")
    seed_officer_world(ctx, zh_principal, cq_principal, exam_day)
    seed_holds(ctx)  # --- holds ---
    valid_qr, revoked_qr = data_dir / "valid-qr.png", data_dir / "revoked-qr.png"
    valid_qr.write_bytes(certificates.export_png(ctx, "T" + valid["id_number"], "1.2"))
    revoked_qr.write_bytes(certificates.export_png(ctx, "T" + revoked["id_number"], "1.2"))
    seed_analytics(ctx)  # --- pages ---
    seed_sharing_outcomes(ctx, sharing_key, "T" + revoked["id_number"])  # --- sharing ---
    platform.close()
    return Seeded(
        valid["id_number"],
        "李四",
        revoked["id_number"],
        review["id_number"],
        "王五",
        zh.api_key,
        valid_qr,
        revoked_qr,
    )


# --- holds ---
# An exam point of Chongqing held on a strong exam-data signal (decision 0028), for the
# 暂停自动发证 page. Its own point with no results, so no other journey's outcome changes.
HELD_POINT = "EP-500000-09"


def seed_holds(ctx) -> None:  # type: ignore[no-untyped-def]
    from opcert.persistence.models import AnalyticsRun, AnalyticsSignal
    from opcert.services.analytics import holds

    registry.add_exam_point(
        ctx, institution="EXAM-CQ", code=HELD_POINT, name="南岸考试点", region="500108"
    )
    now = ctx.now()
    month = (ctx.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with ctx.uow() as uow:
        run = AnalyticsRun(
            date_from=ctx.today().replace(day=1) - timedelta(days=31),
            date_to=ctx.today(),
            fdr=0.1,
            tests=1,
            untested={},
            provisional=[],
            started_at=now,
            finished_at=now,
        )
        uow.analytics.add(run)
        uow.flush()
        uow.analytics.add_signals(
            [
                AnalyticsSignal(
                    run_id=run.id,
                    unit_type="exam_point",
                    unit=HELD_POINT,
                    kind="score_heaping",
                    period=month,
                    statistic=9.1,
                    p_value=1e-12,
                    q_value=1e-10,
                    effect=6.8,
                    observed=0.41,
                    reference=0.06,
                    provisional=False,
                    explanation_zh=f"南岸考试点 {month} 理论考试 80–82 分占 41%，同类考点为 6%",
                    explanation_en=f"EP-500000-09 {month}: 41% of theory scores in 80–82, "
                    "against 6% at other exam points",
                )
            ]
        )
        uow.commit()
        run_id = run.id
    holds.apply_holds(ctx, run_id, ["seeded"])


# --- pages ---
ANALYST = "analyst"  # a national analyst (000000)
ZHEJIANG_ANALYST = "zj-analyst"  # a province analyst (330000)


def seed_analytics(ctx: ServiceContext) -> None:
    """The analytics pages' world: sixteen exam points in four provinces none of the other
    journeys use, four closed months of results, one exam point too good, and a run."""
    registry.add_officer(ctx, username=ANALYST, region="000000", role="analyst", password=PASSWORD)
    registry.add_officer(
        ctx, username=ZHEJIANG_ANALYST, region="330000", role="analyst", password=PASSWORD
    )
    built = analytics_world.build(ctx)
    assert built.signals > 0, built
    _release_holds_outside_the_analytics_world(ctx)


def _release_holds_outside_the_analytics_world(ctx: ServiceContext) -> None:
    """The analytics world's run is national, so it also tests the older journeys' exam points,
    whose seeded results all have a practical score of 90: a spread of 0, which rightly holds
    them (decision 0028). The journeys need those points to issue at once, so a national admin
    releases those holds with a reason, as an officer would; the analytics world's own holds and
    the seeded hold of the holds journey stay."""
    from opcert.services.analytics import holds
    from opcert.services.kernel.principals import OfficerPrincipal

    admin = OfficerPrincipal(0, "e2e-seed", "000000", "admin")
    kept = {point[0] for point in analytics_world.POINTS} | {HELD_POINT}
    kept |= {point[1] for point in analytics_world.POINTS}
    found, _ = holds.holds_in_scope(ctx, admin)
    for hold in found:
        if hold.unit not in kept:
            holds.release(ctx, admin, hold.id, "端到端测试数据：实操成绩统一为 90 分，非异常")


# --- sharing ---
# The 数据共享 page's world: a Guangdong admin (who manages), a Chongqing enforcement system (which
# the Chongqing approver reads, with a dead letter) and a Guangdong one that fed back an outcome.
SHARING_ADMIN = "gd-admin"
CQ_SUBSCRIBER, GD_SUBSCRIBER = "CQ-ENFORCE", "GD-ENFORCE"


def seed_sharing(ctx: ServiceContext) -> str:
    """The admin and the two subscribers; the Guangdong subscriber's API key."""
    from opcert.services.sharing import subscribers
    from opcert.services.sharing.sharing_list import EVENT_TYPES

    registry.add_officer(
        ctx, username=SHARING_ADMIN, region="440000", role="admin", password=PASSWORD
    )
    keys = {}
    for code, name, region in (
        (CQ_SUBSCRIBER, "重庆市应急管理综合行政执法总队", "500000"),
        (GD_SUBSCRIBER, "广东省应急管理综合执法监督局", "440000"),
    ):
        new = subscribers.NewSubscriber(
            code=code,
            name=name,
            url=f"https://127.0.0.1:9/opcert/{code.lower()}",  # never answers: no dispatcher runs
            events=list(EVENT_TYPES),
            fields=["number", "name", "item", "status", "valid_to", "authority"],
            regions=[region],
        )
        keys[code] = subscribers.add_subscriber(ctx, ctx.sharing_config(), new, actor="e2e-seed")
    return keys[GD_SUBSCRIBER].api_key


def seed_sharing_outcomes(ctx: ServiceContext, gd_key: str, revoked_number: str) -> None:
    """One Chongqing delivery dead after its attempts; an outcome fed back on the revoked
    certificate."""
    from sqlalchemy import select, update

    from opcert.persistence.models import Delivery, Subscriber
    from opcert.services.sharing import feedback, subscribers

    with ctx.uow() as uow:
        cq = uow.session.scalar(select(Subscriber).where(Subscriber.code == CQ_SUBSCRIBER))
        assert cq is not None
        first = uow.session.scalar(
            select(Delivery.id).where(Delivery.subscriber_id == cq.id).order_by(Delivery.id)
        )
        assert first is not None, "the Chongqing acts reached the Chongqing subscriber"
        uow.session.execute(
            update(Delivery)
            .where(Delivery.id == first)
            .values(state="dead", attempts=12, last_status=503, last_error="HTTP 503")
        )
        uow.commit()
    feedback.record(
        ctx,
        subscribers.authenticate(ctx, gd_key),
        {
            "ref": "GD-2026-0001",
            "certificate_number": revoked_number,
            "item": "1.2",
            "kind": "enforcement",
            "detail": "现场检查发现持证人仍在从事低压电工作业，已责令停止作业并调离岗位。",
        },
    )
