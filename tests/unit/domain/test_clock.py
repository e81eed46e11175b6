from datetime import UTC, date, datetime, timedelta

import pytest

from opcert.domain.clock import SHANGHAI, FixedClock, SystemClock, local_date, start_of_day


def test_the_system_clock_gives_an_aware_instant():
    assert SystemClock().now().utcoffset() is not None


def test_a_fixed_clock_stays_put_until_advanced_or_set():
    clock = FixedClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    assert clock.now() == datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
    assert clock.advance(timedelta(hours=15)) == datetime(2026, 6, 2, 0, 0, tzinfo=SHANGHAI)
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2030, 1, 1, 8, 0, tzinfo=SHANGHAI)


def test_a_fixed_clock_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 6, 1))
    clock = FixedClock(datetime(2026, 6, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 6, 1))


def test_4_pm_utc_on_31_may_is_already_1_june_in_shanghai():
    assert local_date(datetime(2026, 5, 31, 15, 59, 59, tzinfo=UTC)) == date(2026, 5, 31)
    assert local_date(datetime(2026, 5, 31, 16, 0, tzinfo=UTC)) == date(2026, 6, 1)


def test_local_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 5, 31, 16, 0))


def test_the_start_of_a_day_is_midnight_beijing_time():
    start = start_of_day(date(2032, 11, 21))
    assert start == datetime(2032, 11, 20, 16, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(hours=8)
