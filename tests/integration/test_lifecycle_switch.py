"""Status on any date under each rule set and across the 2026-06-01 switch: the public query, the
verify API and an independent verifier reading the served status list agree, with exact dates."""

from __future__ import annotations

from datetime import date

from opcert.services.verification import query as certificates
from tests.integration.lifecycle_helpers import at, issue_on, status_value, three_views


def test_an_order30_certificate_whose_review_fell_due_before_the_switch_and_was_missed_is_void_the_day_after(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2025, 3, 10)))  # the due date itself: still in force
    assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")
    clock.set(at(date(2025, 3, 11)))
    assert three_views(ctx, client, row, text) == ("lapsed", "REVOKED", "REVOKED")
    assert status_value(client, text) == 1
    clock.set(at(date(2026, 7, 1)))  # the switch does not revive it
    assert three_views(ctx, client, row, text) == ("lapsed", "REVOKED", "REVOKED")


def test_an_order30_review_falling_due_after_the_switch_is_not_needed_and_the_certificate_stays_valid(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2023, 9, 1))
    text = certificates.current_credential(ctx, number, item)
    [before] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert before["review_due_on"] == "2026-09-01"
    for day in (date(2026, 9, 2), date(2027, 9, 1), date(2029, 9, 1)):
        clock.set(at(day))
        assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")
        assert status_value(client, text) == 0
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert shown["review_required"] is False
    assert "无需复审" in shown["review_note"]


def test_every_certificate_is_expired_the_day_after_six_years_under_either_rule_set(
    ctx, clock, world, client
):
    old = issue_on(ctx, clock, world, date(2023, 9, 1))
    new = issue_on(ctx, clock, world, date(2026, 11, 20))
    for (number, item, row), last in ((old, date(2029, 9, 1)), (new, date(2032, 11, 20))):
        text = certificates.current_credential(ctx, number, item)
        clock.set(at(last, hour=23))
        assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")
        clock.set(at(date.fromordinal(last.toordinal() + 1), hour=0))
        assert three_views(ctx, client, row, text) == ("expired", "EXPIRED", "EXPIRED")


def test_a_certificate_issued_on_29_february_ends_on_28_february_and_its_review_is_owed_then(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2020, 2, 29))
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert (shown["valid_to"], shown["review_due_on"]) == ("2026-02-28", "2023-02-28")
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2023, 2, 28)))
    assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")
    clock.set(at(date(2023, 3, 1)))
    assert three_views(ctx, client, row, text) == ("lapsed", "REVOKED", "REVOKED")


def test_a_leap_day_certificate_of_2024_needs_no_review_and_expires_after_28_february_2030(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2024, 2, 29))
    text = certificates.current_credential(ctx, number, item)
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert (shown["valid_to"], shown["review_due_on"]) == ("2030-02-28", "2027-02-28")
    clock.set(at(date(2030, 2, 28)))
    assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")
    clock.set(at(date(2030, 3, 1)))
    assert three_views(ctx, client, row, text) == ("expired", "EXPIRED", "EXPIRED")


def test_a_mem19_certificate_has_no_review_date_and_stays_valid_for_its_six_years(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2026, 6, 1))
    text = certificates.current_credential(ctx, number, item)
    [shown] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert (shown["rule_set"], shown["review_due_on"], shown["valid_to"]) == (
        "MEM19",
        None,
        "2032-06-01",
    )
    for year in range(2027, 2033):
        clock.set(at(date(year, 6, 1)))
        assert three_views(ctx, client, row, text) == ("valid", "VALID", "VALID")


def test_the_served_status_list_changes_at_midnight_when_a_review_is_missed(
    ctx, clock, world, client
):
    number, item, row = issue_on(ctx, clock, world, date(2022, 3, 10))
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2025, 3, 10), hour=23))
    before = client.get("/.well-known/opcert/status/CN-440400-0001")
    assert status_value(client, text) == 0
    clock.set(at(date(2025, 3, 11), hour=0))
    after = client.get("/.well-known/opcert/status/CN-440400-0001")
    assert before.headers["etag"] != after.headers["etag"]
    assert status_value(client, text) == 1
