"""The certificate acts on the in-memory unit of work: each act moves the row, the status entry
and the ledger together, and a refused act changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from opcert.domain.certificate_states import STATUS_CODES, CertificateAct, CertificateState
from opcert.domain.certificates import StatusCode
from opcert.domain.errors import Conflict, FieldError
from opcert.persistence.models import (
    Ban,
    Cancellation,
    Certificate,
    CertificateEvent,
    CredentialVersion,
    Person,
)
from opcert.services.lifecycle import acts
from tests.unit.domain.test_certificate_states import EXPECTED
from tests.unit.services.conftest import NOW, fake_context, issue
from tests.unit.services.fakes import FakeDatabase, FakeUnitOfWork


def _do(ctx, act: CertificateAct, number: str, item: str):  # type: ignore[no-untyped-def]
    """Each act as an officer does it, through the service."""
    if act is CertificateAct.REVOKE:
        return acts.revoke(ctx, number, item, "证书记载虚假信息", ground="false_information")
    if act is CertificateAct.CANCEL:
        return acts.cancel(ctx, number, item, "request")
    if act is CertificateAct.SUSPEND:
        return acts.suspend(ctx, number, item, "停工调查")
    if act is CertificateAct.REINSTATE:
        return acts.reinstate(ctx, number, item, "调查结束")
    if act is CertificateAct.CORRECT:
        return acts.correct(ctx, number, item, name="张叁", reason="户籍姓名更正")
    if act is CertificateAct.REPLACE:
        return acts.replace(ctx, number, item, "lost")
    with ctx.uow() as uow:  # LAPSE: a failed review, in the review decision's transaction
        row = uow.certificates.get(number, item)
        acts.lapse(uow, ctx, row, "复审不合格：健康体检不合格", actor="officer:test")
        uow.commit()
    return None


OFFICER_ACTS = [a for a in CertificateAct if a is not CertificateAct.SUPERSEDE]
MOVES = {
    CertificateAct.REVOKE: ("revoked", StatusCode.VOID, "certificate.revoked"),
    CertificateAct.CANCEL: ("cancelled", StatusCode.VOID, "certificate.cancelled"),
    CertificateAct.SUSPEND: ("suspended", StatusCode.SUSPENDED, "certificate.suspended"),
    CertificateAct.LAPSE: ("lapsed", StatusCode.VOID, "certificate.lapsed"),
    CertificateAct.CORRECT: ("active", StatusCode.IN_FORCE, "certificate.corrected"),
    CertificateAct.REPLACE: ("active", StatusCode.IN_FORCE, "certificate.replaced"),
}


@pytest.mark.parametrize("act", list(MOVES), ids=[a.value for a in MOVES])
def test_an_act_on_an_active_certificate_moves_row_status_entry_and_ledger_together(
    fake_ctx, fake_db: FakeDatabase, act
):
    number, item = issue(fake_ctx)
    _do(fake_ctx, act, number, item)
    state, entry, kind = MOVES[act]
    certificates = FakeUnitOfWork(fake_db).certificates
    assert certificates.status_of(number, item) == (state, entry)
    assert FakeUnitOfWork(fake_db).ledger.kinds(f"certificate:{number}:{item}") == [kind]
    [event] = fake_db.rows(CertificateEvent)
    assert event.kind == kind.removeprefix("certificate.")


def test_reinstating_a_suspended_certificate_puts_its_entry_back_in_force(fake_ctx, fake_db):
    number, item = issue(fake_ctx)
    acts.suspend(fake_ctx, number, item, "停工调查")
    acts.reinstate(fake_ctx, number, item, "调查结束")
    certificates = FakeUnitOfWork(fake_db).certificates
    assert certificates.status_of(number, item) == ("active", StatusCode.IN_FORCE)
    assert certificates.get(number, item).state_reason == "调查结束"


def test_a_correction_and_a_replacement_supersede_the_version_they_replace(fake_ctx, fake_db):
    number, item = issue(fake_ctx)
    assert acts.correct(fake_ctx, number, item, name="张叁", reason="更正").version == 2
    assert acts.replace(fake_ctx, number, item, "damaged").version == 3
    entries = sorted((v.version, v.status_value) for v in fake_db.rows(CredentialVersion))
    assert entries == [(1, StatusCode.SUPERSEDED), (2, StatusCode.SUPERSEDED), (3, 0)]


def test_a_correction_also_corrects_the_person_record(fake_ctx, fake_db):
    number, item = issue(fake_ctx)
    with FakeUnitOfWork(fake_db) as uow:
        row = uow.certificates.get(number, item)
        uow.persons.add(
            Person(
                id_number=row.id_number,
                name="张三",
                sex=1,
                birth_on=NOW.date(),
                division="440402",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        uow.commit()
    acts.correct(fake_ctx, number, item, name="张叁", reason="户籍姓名更正")
    [person] = fake_db.rows(Person)
    assert person.name == "张叁"


def test_a_revocation_for_deception_bans_the_holder_and_a_cancellation_is_listed(fake_ctx, fake_db):
    number, item = issue(fake_ctx)
    done = acts.revoke(fake_ctx, number, item, "以欺骗手段取得", ground="deception")
    assert done.banned_until is not None and done.banned_until.year == 2029
    acts.cancel(fake_ctx, number, item, "revoked")
    assert len(fake_db.rows(Ban)) == 1
    [notice] = fake_db.rows(Cancellation)
    assert notice.ground == "revoked"


PATHS = {
    CertificateState.ACTIVE: [],
    CertificateState.SUSPENDED: [CertificateAct.SUSPEND],
    CertificateState.REVOKED: [CertificateAct.REVOKE],
    CertificateState.CANCELLED: [CertificateAct.CANCEL],
    CertificateState.LAPSED: [CertificateAct.LAPSE],
}
REFUSED = [(s, a) for s in CertificateState for a in OFFICER_ACTS if (s, a) not in EXPECTED]


def _everything(db: FakeDatabase) -> tuple:
    versions = sorted((v.version, v.status_value) for v in db.rows(CredentialVersion))
    states = [(c.state, c.state_reason, c.name) for c in db.rows(Certificate)]
    counts = tuple(len(db.rows(m)) for m in (Ban, Cancellation, CertificateEvent))
    return versions, states, counts, len(db.ledger), db.log_size


@pytest.mark.parametrize(
    ("state", "act"), REFUSED, ids=[f"{s.value}-{a.value}" for s, a in REFUSED]
)
def test_a_refused_act_raises_a_conflict_and_changes_nothing(fake_ctx, fake_db, state, act):
    number, item = issue(fake_ctx)
    for step in PATHS[state]:
        _do(fake_ctx, step, number, item)
    before = _everything(fake_db)
    with pytest.raises(Conflict) as refused:
        _do(fake_ctx, act, number, item)
    assert refused.value.code == "ACT_NOT_ALLOWED"
    assert state.label_zh in refused.value.message_zh
    assert _everything(fake_db) == before


def test_an_act_needing_a_reason_refuses_an_empty_one_naming_the_field(fake_ctx):
    number, item = issue(fake_ctx)
    for attempt in (
        lambda: acts.suspend(fake_ctx, number, item, "  "),
        lambda: acts.revoke(fake_ctx, number, item, ""),
        lambda: acts.cancel(fake_ctx, number, item, "bored"),
        lambda: acts.replace(fake_ctx, number, item, "stolen?"),
    ):
        with pytest.raises(FieldError) as refused:
            attempt()
        assert refused.value.field in ("reason", "ground")


class ActsOnOneCertificate(RuleBasedStateMachine):
    """Random officer acts on one certificate: whatever was allowed or refused, the row's state
    is the table's, and the current status entry is that state's value."""

    def __init__(self) -> None:
        super().__init__()
        self.ctx, self.db = fake_context()
        self.number, self.item = issue(self.ctx)
        self.expected = CertificateState.ACTIVE

    @rule(act=st.sampled_from(OFFICER_ACTS))
    def act(self, act: CertificateAct) -> None:
        try:
            _do(self.ctx, act, self.number, self.item)
        except Conflict:
            assert (self.expected, act) not in EXPECTED
        else:
            self.expected = EXPECTED[(self.expected, act)]

    @invariant()
    def the_status_entry_is_the_states_value(self) -> None:
        state, entry = FakeUnitOfWork(self.db).certificates.status_of(self.number, self.item)
        assert state == self.expected
        assert entry == STATUS_CODES[CertificateState(state)]


ActsOnOneCertificate.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_acts_keep_the_status_entry_equal_to_the_states_value = ActsOnOneCertificate.TestCase
