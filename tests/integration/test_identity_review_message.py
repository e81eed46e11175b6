"""A holder whose face check failed gets the authority's answer by text message."""

from __future__ import annotations

import pytest

from opcert.domain.errors import FieldError
from opcert.services.holders import identity_reviews
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result, small_png

PNG = small_png()


def filed_review(ctx, world) -> tuple[int, str]:
    row = make_result(phone="13912345678")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    review = identity_reviews.request_review(ctx, row["id_number"], row["name"], PNG, "image/png")
    return review, row["phone"]


def test_an_approved_identity_review_is_answered_by_message_to_the_holders_phone(
    ctx, world, platform
):
    review, phone = filed_review(ctx, world)
    view = identity_reviews.decide_review(ctx, world.zhuhai_officer, review, True, "")
    assert view.status == "approved"
    [message] = platform.outbox.messages
    assert message.to == phone
    assert "已通过" in message.text
    assert "珠海市应急管理局" in message.text


def test_a_rejection_names_its_reason_in_the_message(ctx, world, platform):
    review, _ = filed_review(ctx, world)
    identity_reviews.decide_review(ctx, world.zhuhai_officer, review, False, "照片模糊")
    assert "照片模糊" in platform.outbox.messages[0].text


def test_a_rejection_without_a_reason_sends_nothing(ctx, world, platform):
    review, _ = filed_review(ctx, world)
    with pytest.raises(FieldError):
        identity_reviews.decide_review(ctx, world.zhuhai_officer, review, False, " ")
    assert platform.outbox.messages == []
