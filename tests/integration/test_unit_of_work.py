"""Read-only units of work, used by the public query and online verification."""

from __future__ import annotations

from datetime import date

import pytest

from opcert.persistence.models import Person


def test_a_read_only_unit_of_work_refuses_to_write_and_nothing_is_stored(ctx) -> None:  # type: ignore[no-untyped-def]
    assert ctx.read is not None, "the platform gives the read paths their own units of work"
    with ctx.reader() as uow:
        with pytest.raises(RuntimeError, match="read-only"):
            uow.begin_write()
        with pytest.raises(RuntimeError, match="read-only"):
            uow.commit()
    with ctx.uow() as uow:
        assert uow.synth.row_count("persons") == 0


def test_a_read_only_unit_of_work_sees_what_was_just_committed(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        uow.begin_write()
        now = ctx.now()
        uow.session.add(
            Person(
                id_number="440402199005170031", name="张三", sex=1, birth_on=date(1990, 5, 17),
                division="440402", created_at=now, updated_at=now,
            )
        )  # fmt: skip
        uow.commit()
    with ctx.reader() as uow:
        found = uow.persons.by_id_numbers(["440402199005170031"])
        assert [p.name for p in found.values()] == ["张三"]
