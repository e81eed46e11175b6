"""Every state a person can see has exactly one label in each language, one colour and one icon,
and only a valid certificate is green (issue 14: one vocabulary of states)."""

from __future__ import annotations

import re

import pytest

from opcert.domain.certificate_states import (
    LOOKS,
    RECORDED_LOOKS,
    CertificateAct,
    CertificateState,
    PublicStatus,
    Tone,
)
from opcert.domain.lifecycle import RECORDED_STATES

# The words issue 14 fixes, written out by hand so a change to the table shows up here.
WORDS = {
    PublicStatus.VALID: ("有效", "Valid"),
    PublicStatus.EXPIRED: ("已过期", "Expired"),
    PublicStatus.LAPSED: ("已失效（未按期复审）", "Lapsed (review missed)"),
    PublicStatus.REVOKED: ("已撤销", "Revoked"),
    PublicStatus.CANCELLED: ("已注销", "Cancelled"),
    PublicStatus.SUSPENDED: ("暂扣", "Suspended"),
    PublicStatus.SUPERSEDED: ("已被新版本替代", "Superseded by a newer version"),
}


def test_every_visible_state_has_exactly_one_look():
    assert set(LOOKS) == set(PublicStatus)


@pytest.mark.parametrize("status", list(WORDS), ids=[s.value for s in WORDS])
def test_each_state_reads_the_words_the_issue_fixes(status):
    assert (status.look.label_zh, status.look.label_en) == WORDS[status]


def test_only_a_valid_certificate_is_green():
    assert [s for s in PublicStatus if s.look.tone is Tone.GOOD] == [PublicStatus.VALID]


def test_no_two_states_share_a_label_in_either_language():
    assert len({look.label_zh for look in LOOKS.values()}) == len(LOOKS)
    assert len({look.label_en for look in LOOKS.values()}) == len(LOOKS)


def test_every_icon_is_one_visible_symbol_that_is_no_letter():
    for look in LOOKS.values():
        assert len(look.icon) == 1
        assert not look.icon.isspace() and not re.match(r"\w", look.icon)


def test_every_red_state_is_void_on_paper_and_so_is_a_superseded_one():
    for look in LOOKS.values():
        if look.tone is Tone.VOID:
            assert look.void
    assert PublicStatus.SUPERSEDED.look.void  # amber on screen, yet the old paper is void


def test_a_recorded_state_uses_the_same_word_as_the_state_it_shows():
    for state, shown in RECORDED_LOOKS.items():
        assert state.label_zh == shown.look.label_zh
    assert set(RECORDED_STATES.values()) <= set(PublicStatus)


def test_suspension_is_called_zankou_in_the_refusals_too():
    assert CertificateState.SUSPENDED.label_zh == "暂扣"
    assert CertificateAct.SUSPEND.label_zh == "暂扣"
