"""Candidates examined far from home: the list an inspector gets, by its stated rule."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from opcert.domain.errors import FieldError
from opcert.domain.geography import province_distance_km
from opcert.persistence.models import SyntheticAnomaly
from opcert.services.analytics.far import FAR_KM, far_exams
from opcert.services.synth import synthesise

SCALE = 0.0001


@pytest.fixture
def loaded(ctx):  # type: ignore[no-untyped-def]
    return synthesise(ctx, SCALE, seed=5, exams_only=True)  # the exam data alone: nothing to sign


def _all_time(ctx):  # type: ignore[no-untyped-def]
    return date(2000, 1, 1), ctx.today()


def test_the_far_list_holds_the_labelled_travellers_each_over_a_thousand_km_from_home(
    ctx, loaded
) -> None:  # type: ignore[no-untyped-def]
    listed = far_exams(ctx, *_all_time(ctx))
    assert listed, "the synthetic data places some candidates far from home"
    for item in listed:
        assert item.km > FAR_KM
        assert item.exam.home[:2] != item.exam.region[:2]
        assert item.km == province_distance_km(item.exam.home, item.exam.region)
    on_list = {(f.exam.id_number, f.exam.exam_point) for f in listed}
    with ctx.uow() as uow:
        labels = [
            (x.subject, x.detail["exam_point"])
            for x in uow.session.scalars(
                select(SyntheticAnomaly).where(SyntheticAnomaly.kind == "far_travel")
            )
        ]
    assert labels
    # all of them but those examined in a near province (a Xinjiang candidate examined in
    # Gansu, 1,625 km away, is examined next door)
    assert sum(label in on_list for label in labels) >= 0.8 * len(labels)


def test_a_span_that_ends_before_it_starts_is_refused_by_name(ctx) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as refused:
        far_exams(ctx, date(2026, 5, 1), date(2026, 4, 1))
    assert refused.value.field == "to"


def test_a_distance_of_zero_or_beyond_the_country_is_refused_by_name(ctx) -> None:  # type: ignore[no-untyped-def]
    for km in (0.0, -5.0, 20_000.0):
        with pytest.raises(FieldError) as refused:
            far_exams(ctx, date(2026, 1, 1), date(2026, 4, 1), km)
        assert refused.value.field == "km"
