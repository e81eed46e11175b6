"""Who reviews a holder's manual identity review: the platform decides, never the holder.

The issuer of the holder's certificate first; with none, the authority of the ID number's region,
then its province's; with none of those, a clear refusal that names the field."""

from __future__ import annotations

from datetime import date

import pytest

from opcert.domain.errors import ValidationFailed
from opcert.services.holders import identity_reviews
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import id_number, make_result, small_png

PNG = small_png()


def _authority_of(ctx, review_id: int) -> str:
    with ctx.uow() as uow:
        row = uow.identity_reviews.get(review_id)
        assert row is not None
        return row.authority_code


def test_a_beijing_born_worker_certified_in_zhuhai_is_reviewed_by_zhuhai(ctx, world):
    row = make_result(id_number=id_number("110101", born=date(1985, 3, 2)), name="王五")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    reviewer = identity_reviews.reviewer_for(ctx, row["id_number"], "王五")
    assert reviewer is not None
    assert (reviewer.code, reviewer.name, reviewer.basis) == (
        "CN-440400",
        "珠海市应急管理局",
        "certificate",
    )
    review = identity_reviews.request_review(ctx, row["id_number"], "王五", PNG, "image/png")
    assert _authority_of(ctx, review) == "CN-440400"
    assert [r.id for r in identity_reviews.review_queue(ctx, world.zhuhai_officer)] == [review]
    assert identity_reviews.review_queue(ctx, world.chongqing_officer) == []


def test_without_a_certificate_the_id_numbers_city_reviews(ctx, world):
    person = id_number("440402", born=date(1980, 1, 1))
    reviewer = identity_reviews.reviewer_for(ctx, person, "赵六")
    assert reviewer is not None and (reviewer.code, reviewer.basis) == ("CN-440400", "id_region")


def test_a_city_without_its_own_bureau_falls_back_to_the_province(ctx, world):
    foshan = id_number("440604", born=date(1980, 1, 1))
    reviewer = identity_reviews.reviewer_for(ctx, foshan, "赵六")
    assert reviewer is not None
    assert (reviewer.code, reviewer.name, reviewer.basis) == (
        "CN-440000",
        "广东省应急管理厅",
        "province",
    )


def test_a_region_no_authority_covers_is_refused_with_a_clear_reason_and_nothing_is_filed(
    ctx, world
):
    macau = id_number("820000", born=date(1980, 1, 1))  # a Macau resident's residence permit
    assert identity_reviews.reviewer_for(ctx, macau, "赵六") is None
    with pytest.raises(ValidationFailed) as refused:
        identity_reviews.request_review(ctx, macau, "赵六", PNG, "image/png")
    [error] = refused.value.errors
    assert error.field == "authority" and "发证机关窗口" in error.message_zh
    with ctx.uow() as uow:
        assert uow.identity_reviews.in_scope("") == []
