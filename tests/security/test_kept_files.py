"""An upload's error sheet, kept in the shared store between the upload and its download, as an
attacker would try it: another institution with the link, the link after an hour, a guessed key."""

from __future__ import annotations

from datetime import timedelta

from opcert.services.kernel import kept_files

SHEET = "姓名,身份证号码,错误\n张三,440402199001011234,考试日期格式不对\n".encode()


def test_the_institution_that_uploaded_downloads_its_error_sheet(ctx) -> None:  # type: ignore[no-untyped-def]
    key = kept_files.keep(ctx, "EXAM-ZH", SHEET)
    assert kept_files.fetch(ctx, "EXAM-ZH", key) == SHEET


def test_another_institution_holding_the_link_gets_nothing(ctx) -> None:  # type: ignore[no-untyped-def]
    key = kept_files.keep(ctx, "EXAM-ZH", SHEET)
    assert kept_files.fetch(ctx, "EXAM-GZ", key) is None


def test_the_link_stops_working_after_an_hour(ctx, clock) -> None:  # type: ignore[no-untyped-def]
    key = kept_files.keep(ctx, "EXAM-ZH", SHEET)
    clock.advance(kept_files.LIFETIME + timedelta(seconds=1))
    assert kept_files.fetch(ctx, "EXAM-ZH", key) is None


def test_a_guessed_or_empty_key_gets_nothing_and_the_store_keeps_no_plain_key(ctx) -> None:  # type: ignore[no-untyped-def]
    key = kept_files.keep(ctx, "EXAM-ZH", SHEET)
    for guess in ("", key[:-1], key.upper(), "../" + key):
        assert kept_files.fetch(ctx, "EXAM-ZH", guess) is None
    assert ctx.sessions.kept_file(key) is None  # stored under its digest only
