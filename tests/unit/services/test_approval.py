"""The officer's approval (services/review/decisions.py) on the in-memory unit of work: approve
issues the certificate in the same transaction, refusal needs a reason, and an application is
decided once, by an officer who may decide it and whose division covers it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION
from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict, FieldError, Forbidden, NotFound
from opcert.persistence.models import Application, Certificate, CredentialVersion, Person
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.lifecycle import acts
from opcert.services.review import decisions
from tests.integration.builders import id_number
from tests.unit.services.conftest import AUTHORITY, NOW, issue
from tests.unit.services.fakes import FakeDatabase, FakeUnitOfWork

ZHUHAI = OfficerPrincipal(7, "zh-approver", "440400", "approver")


def _in_review(db: FakeDatabase, *, number: str | None = None, name: str = "李四") -> str:
    """An application an officer must decide, for a person whose record says ``name``."""
    person_id = number or id_number()
    app_id = str(uuid.uuid4())
    db.add(
        Person(
            id_number=person_id,
            name=name,
            sex=2,
            birth_on=date(1990, 5, 17),
            division="440402",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    db.add(
        Application(
            id=app_id,
            result_id=1,
            person_id=1,
            id_number=person_id,
            name=name,
            typ="SO",
            item_code="1.2",
            item_name=None,
            catalogue_version=CURRENT_CATALOGUE_VERSION,
            rule_set="MEM19",
            authority_code=AUTHORITY["code"],
            region="440402",
            institution_id=1,
            exam_point_id=1,
            status="in_review",
            checks=[],
            review_reasons=["NAME_MISMATCH"],
            commitment={},
            history=[],
            filed_at=NOW,
            target_on=NOW.date() + timedelta(days=7),
            due_on=NOW.date() + timedelta(days=28),
        )
    )
    return app_id


def _application(db: FakeDatabase, app_id: str) -> Application:
    found = FakeUnitOfWork(db).applications.get(app_id)
    assert found is not None
    return found


def test_approving_issues_the_certificate_and_records_both_moves(fake_ctx, fake_db):
    app_id = _in_review(fake_db)
    done = decisions.decide(fake_ctx, ZHUHAI, app_id, "approve", None)
    row = _application(fake_db, app_id)
    assert (done.status, row.status) == ("issued", "issued")
    [certificate] = fake_db.rows(Certificate)
    assert done.certificate_no == certificate.number == "T" + row.id_number
    assert (certificate.sex, row.certificate_id) == (2, certificate.id)
    assert [(m["from_status"], m["to_status"]) for m in row.history] == [
        ("in_review", "approved"),
        ("approved", "issued"),
    ]
    assert FakeUnitOfWork(fake_db).ledger.kinds() == ["application.issued"]
    [version] = fake_db.rows(CredentialVersion)
    assert version.status_value == StatusCode.IN_FORCE and fake_db.log_size == 1


def test_the_certificate_is_issued_in_the_name_the_person_record_holds(fake_ctx, fake_db):
    app_id = _in_review(fake_db, name="王五")
    _application(fake_db, app_id).name = "王伍"  # the result named the holder otherwise
    decisions.decide(fake_ctx, ZHUHAI, app_id, "approve", "核对户籍后准予发证")
    [certificate] = fake_db.rows(Certificate)
    assert certificate.name == "王五"


def test_refusing_without_a_reason_is_refused_naming_the_reason_field_and_writes_nothing(
    fake_ctx, fake_db
):
    app_id = _in_review(fake_db)
    with pytest.raises(FieldError) as refused:
        decisions.decide(fake_ctx, ZHUHAI, app_id, "reject", "   ")
    assert (refused.value.field, refused.value.code) == ("reason", "REASON_REQUIRED")
    assert _application(fake_db, app_id).status == "in_review"
    assert fake_db.ledger == [] and fake_db.commits == 0


def test_refusing_with_a_reason_records_it_and_issues_nothing(fake_ctx, fake_db):
    app_id = _in_review(fake_db)
    done = decisions.decide(fake_ctx, ZHUHAI, app_id, "reject", "身份信息与考试记录不一致")
    row = _application(fake_db, app_id)
    assert (done.status, done.certificate_no) == ("rejected", None)
    assert (row.decision_reason, row.decided_by) == ("身份信息与考试记录不一致", "zh-approver")
    assert fake_db.rows(Certificate) == []
    assert FakeUnitOfWork(fake_db).ledger.kinds() == ["application.rejected"]


def test_an_application_is_decided_once(fake_ctx, fake_db):
    app_id = _in_review(fake_db)
    decisions.decide(fake_ctx, ZHUHAI, app_id, "reject", "材料不全")
    with pytest.raises(Conflict) as refused:
        decisions.decide(fake_ctx, ZHUHAI, app_id, "approve", None)
    assert refused.value.code == "NOT_IN_REVIEW"
    assert fake_db.rows(Certificate) == []


def test_a_decision_word_other_than_approve_or_reject_and_an_overlong_reason_name_their_field(
    fake_ctx, fake_db
):
    app_id = _in_review(fake_db)
    with pytest.raises(FieldError, match="approve") as unknown:
        decisions.decide(fake_ctx, ZHUHAI, app_id, "maybe", None)
    assert unknown.value.field == "decision"
    with pytest.raises(FieldError) as long:
        decisions.decide(fake_ctx, ZHUHAI, app_id, "reject", "理" * 501)
    assert (long.value.field, long.value.code) == ("reason", "TOO_LONG")


def test_an_officer_outside_the_division_or_without_the_right_cannot_decide(fake_ctx, fake_db):
    app_id = _in_review(fake_db)
    chongqing = OfficerPrincipal(8, "cq-approver", "500000", "approver")
    with pytest.raises(NotFound):
        decisions.decide(fake_ctx, chongqing, app_id, "approve", None)
    inspector = OfficerPrincipal(9, "zh-inspector", "440400", "inspector")
    with pytest.raises(Forbidden):
        decisions.decide(fake_ctx, inspector, app_id, "approve", None)
    assert _application(fake_db, app_id).status == "in_review"


def test_approval_for_a_holder_whose_certificate_was_revoked_reissues_it_as_a_new_version(
    fake_ctx, fake_db
):
    number, item = issue(fake_ctx, name="李四")
    acts.revoke(fake_ctx, number, item, "身体条件不适合", ground="unfit")
    app_id = _in_review(fake_db, number=number[1:], name="李四")
    done = decisions.decide(fake_ctx, ZHUHAI, app_id, "approve", None)
    assert done.certificate_no == number
    certificates = FakeUnitOfWork(fake_db).certificates
    assert certificates.status_of(number, item) == ("active", StatusCode.IN_FORCE)
    entries = sorted((v.version, v.status_value) for v in fake_db.rows(CredentialVersion))
    assert entries == [(1, StatusCode.VOID), (2, StatusCode.IN_FORCE)]  # void stays void
