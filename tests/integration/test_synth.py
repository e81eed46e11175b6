"""``opcert synth`` on both backends, at a tiny scale (1,800 holders)."""

from __future__ import annotations

import csv
import hashlib
import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from opcert.domain.errors import Conflict
from opcert.domain.identity import parse_resident_id
from opcert.persistence.models import Base, Certificate, CredentialVersion, Person
from opcert.persistence.repositories.synth import BULK_TABLES
from opcert.services.synth import anomalies, exams, loader, synthesise
from opcert.services.synth.loader import CHUNK
from opcert.services.synth.people import IdentityAllocator
from opcert.services.synth.plans import Run, plan_chunk
from opcert.services.verification import query as certificates
from tests.integration.conftest import _reset

SCALE = 0.0001  # 1,800 holders, about 2,500 certificates
SEED = 11


@pytest.fixture
def loaded(ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    sample = tmp_path / "sample.csv"
    return synthesise(ctx, SCALE, seed=SEED, sample=sample), sample


def test_a_tiny_data_set_is_the_same_for_the_same_seed(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    summary, _ = loaded
    with ctx.uow() as uow:
        stored = uow.synth.row_count("persons")
    assert stored == summary.holders == 1800
    again = _digest_without_database(summary, ctx.today())
    assert again == summary.id_digest


def _digest_without_database(summary, today: date) -> str:  # type: ignore[no-untyped-def]
    sites = exams.plan_sites(random.Random(f"{SEED}:sites"), 0, 0)
    plan = anomalies.plan(random.Random(f"{SEED}:anomalies"), sites, today)
    run = Run(SEED, today, plan, *exams.items())
    ids, digest = IdentityAllocator(), hashlib.sha256()
    for chunk, start in enumerate(range(0, summary.holders, CHUNK)):
        for person in plan_chunk(run, ids, chunk, min(CHUNK, summary.holders - start)):
            digest.update(person.holder.id_number.encode())
    return digest.hexdigest()


def test_every_generated_id_number_is_valid(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        numbers = list(uow.session.scalars(select(Person.id_number)))
    assert len(numbers) == len(set(numbers)) == 1800
    for number in numbers:
        assert parse_resident_id(number, today=ctx.today()).number == number


def test_certificates_exist_in_every_state(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    today = ctx.today()
    with ctx.uow() as uow:
        seen = {
            certificates.certificate_json(row, today)["status"]
            for row in uow.session.scalars(select(Certificate))
        }
        values = set(uow.session.scalars(select(CredentialVersion.status_value).distinct()))
    assert {"valid", "expired", "lapsed", "revoked", "cancelled", "suspended"} <= seen
    assert values == {0, 1, 2, 3}


def test_every_kind_of_anomaly_is_labelled(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        kinds = {row["kind"] for row in uow.synth.anomalies()}
    assert kinds == {"pass_rate_jump", "score_bunching", "volume_spike", "far_travel"}


def test_the_sample_holders_are_found_by_the_public_query(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    _, sample = loaded
    with sample.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1000
    for row in rows:
        assert certificates.public_query(ctx, row["id_number"], row["name"], asker=None)


def test_a_second_run_on_a_loaded_database_is_refused(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as caught:
        synthesise(ctx, SCALE, seed=SEED)
    assert caught.value.code == "SYNTH_NOT_EMPTY"


def test_after_a_load_on_postgresql_the_rows_are_all_visible_to_index_only_scans(
    platform, loaded
) -> None:  # type: ignore[no-untyped-def]
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("the visibility map is PostgreSQL's")
    with platform.engine.connect() as connection:
        for table in ("credential_versions", "certificates", "persons", "exam_results"):
            pages, visible = connection.exec_driver_sql(
                f"SELECT relpages, relallvisible FROM pg_class WHERE oid = '{table}'::regclass"
            ).one()
            assert pages > 0 and visible == pages, (table, pages, visible)


def _bulk_indexes(platform) -> dict[str, set[tuple[str, bool, tuple[str, ...]]]]:  # type: ignore[no-untyped-def]
    inspector = inspect(platform.engine)
    return {
        table: {
            (index["name"], bool(index["unique"]), tuple(index["column_names"]))
            for index in inspector.get_indexes(table)
        }
        for table in BULK_TABLES
    }


def _model_indexes() -> dict[str, set[tuple[str, bool, tuple[str, ...]]]]:
    return {
        table: {
            (str(index.name), bool(index.unique), tuple(c.name for c in index.columns))
            for index in Base.metadata.tables[table].indexes
        }
        for table in BULK_TABLES
    }


def test_after_a_load_the_tables_have_every_index_the_schema_defines(platform, loaded) -> None:  # type: ignore[no-untyped-def]
    assert _bulk_indexes(platform) == _model_indexes()
    with pytest.raises(IntegrityError), platform.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO credential_versions (certificate_id, version, cti, kid, issuer, iat, sc1, "
            "list_id, list_index, status_value, created_at) SELECT certificate_id, 9, cti, kid, "
            "issuer, iat, sc1, list_id, list_index + 1, 0, created_at FROM credential_versions "
            "WHERE id = (SELECT min(id) FROM credential_versions)"
        )


def test_a_load_that_fails_part_way_puts_the_indexes_back(platform, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(loader, "CHUNK", 300)
    calls: list[int] = []

    def fail_on_the_third_chunk(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        synthesise(ctx, SCALE, seed=SEED, progress=fail_on_the_third_chunk)
    assert _bulk_indexes(platform) == _model_indexes()
    with ctx.uow() as uow:
        assert 0 < uow.synth.row_count("persons") < 1_800
    with pytest.raises(Conflict):
        synthesise(ctx, SCALE, seed=SEED)


def test_a_data_set_without_anomalies_has_no_labels_and_no_one_examined_far_from_home(
    ctx, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from opcert.persistence.models import ExamPoint, ExamResult

    summary = synthesise(ctx, SCALE, seed=SEED, inject=False)
    assert summary.anomalies == 0
    with ctx.uow() as uow:
        far = uow.session.scalar(
            select(func.count())
            .select_from(ExamResult)
            .join(ExamPoint, ExamPoint.id == ExamResult.exam_point_id)
            .join(Person, Person.id == ExamResult.person_id)
            .where(func.substr(Person.division, 1, 2) != func.substr(ExamPoint.region, 1, 2))
        )
    assert far == 0


def test_an_exams_only_data_set_has_the_same_people_and_exams_and_no_certificates(
    platform, ctx, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from opcert.persistence.models import ExamResult, StatusListRow, SyntheticAnomaly

    summary = synthesise(ctx, SCALE, seed=SEED, exams_only=True)
    with ctx.uow() as uow:

        def count(model):  # type: ignore[no-untyped-def]
            return uow.session.scalar(select(func.count()).select_from(model))

        exams_only = (count(Person), count(ExamResult), count(SyntheticAnomaly))
        assert (count(Certificate), count(CredentialVersion), count(StatusListRow)) == (0, 0, 0)
        exams = sorted(
            uow.session.execute(
                select(ExamResult.id_number, ExamResult.item_code, ExamResult.exam_on)
            ).all()
        )
    assert summary.holders == exams_only[0] and exams_only[1] > exams_only[0]
    assert exams_only[2] > 0, "the labels are kept: the analytics is scored against them"
    # the same seed in full gives the same people and exams
    _reset(platform)
    synthesise(ctx, SCALE, seed=SEED)
    with ctx.uow() as uow:
        assert exams == sorted(
            uow.session.execute(
                select(ExamResult.id_number, ExamResult.item_code, ExamResult.exam_on)
            ).all()
        )
