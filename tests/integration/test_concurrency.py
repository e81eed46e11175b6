"""Two institutions' requests at once: no errors, no duplicates, one outcome per ref."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from opcert.persistence.models import Certificate, ExamResult
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result


def test_the_same_batch_sent_twice_at_once_is_stored_once_with_one_outcome_per_ref(ctx, world):
    rows = [make_result() for _ in range(40)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: submit_results(ctx, world.zhuhai, rows), range(2))
    assert [o.to_json() for o in first] == [o.to_json() for o in second]
    assert {o.outcome for o in first} == {"issued"}
    with ctx.uow() as uow:
        assert uow.session.query(ExamResult).count() == 40
        assert uow.session.query(Certificate).count() == 40


def test_concurrent_batches_of_different_institutions_all_get_certificates(ctx, world):
    zhuhai = [make_result() for _ in range(30)]
    chongqing = [make_result(exam_point="EP-500000-01") for _ in range(30)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(submit_results, ctx, world.zhuhai, zhuhai)
        b = pool.submit(submit_results, ctx, world.chongqing, chongqing)
        outcomes = a.result() + b.result()
    assert {o.outcome for o in outcomes} == {"issued"}
    with ctx.uow() as uow:
        lists = {row.list_id for row in uow.certificates.all_status_lists()}
    assert lists == {"CN-440400-0001", "CN-500000-0001"}
