"""A holder whose face check failed gets the authority's answer by text message."""

from __future__ import annotations

import pytest

from opcert.domain.errors import FieldError
from opcert.services.holders import identity_reviews
from opcert.services.holders.identity import DevelopmentIdentityVerifier
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result, small_png

PNG = small_png()


def filed_review(ctx, world) -> tuple[int, str]:
    row = make_result(phone="13912345678")
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    review = identity_reviews.request_review(
        ctx, row["id_number"], row["name"], "CN-440400", PNG, "image/png"
    )
    return review, row["phone"]


def test_an_approved_identity_review_is_answered_by_message_to_the_holders_phone(ctx, world):
    review, phone = filed_review(ctx, world)
    messenger = DevelopmentIdentityVerifier()
    view = identity_reviews.decide_review(ctx, world.zhuhai_officer, review, True, "", messenger)
    assert view.status == "approved"
    [message] = messenger.outbox
    assert message.to == phone
    assert "已通过" in message.text
    assert "珠海市应急管理局" in message.text


def test_a_rejection_names_its_reason_in_the_message(ctx, world):
    review, _ = filed_review(ctx, world)
    messenger = DevelopmentIdentityVerifier()
    identity_reviews.decide_review(ctx, world.zhuhai_officer, review, False, "照片模糊", messenger)
    assert "照片模糊" in messenger.outbox[0].text


def test_a_rejection_without_a_reason_sends_nothing(ctx, world):
    review, _ = filed_review(ctx, world)
    messenger = DevelopmentIdentityVerifier()
    with pytest.raises(FieldError):
        identity_reviews.decide_review(ctx, world.zhuhai_officer, review, False, " ", messenger)
    assert messenger.outbox == []
