"""Each signal in plain words, Chinese first: which unit, when, what figure, against what."""

from __future__ import annotations

from opcert.domain.divisions import division_name
from opcert.services.analytics.signals import Kind, Test, UnitType

UNIT_WORDS = {
    UnitType.PROVINCE: ("", "province"),
    UnitType.CITY: ("", "city"),
    UnitType.INSTITUTION: ("考试机构 ", "exam institution "),
    UnitType.EXAM_POINT: ("考试点 ", "exam point "),
}
PEERS = {
    UnitType.PROVINCE: ("全国各省", "all provinces"),
    UnitType.CITY: ("全国各市", "all cities"),
    UnitType.INSTITUTION: ("同期各考试机构", "other exam institutions"),
    UnitType.EXAM_POINT: ("同期各考试点", "other exam points"),
}


def unit_label(test: Test) -> tuple[str, str]:
    zh, en = UNIT_WORDS[test.unit_type]
    if test.unit_type in (UnitType.PROVINCE, UnitType.CITY):
        name = division_name(test.unit) or test.unit
        return f"{name}（{test.unit}）", f"{en} {test.unit}"
    return f"{zh}{test.unit}", f"{en}{test.unit}"


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def explain(test: Test) -> tuple[str, str]:
    """The Chinese and English sentence for an officer, with the figures behind the signal."""
    zh_unit, en_unit = unit_label(test)
    zh_peers, en_peers = PEERS[test.unit_type]
    period, o, r = test.period, test.observed, test.reference
    kind = test.kind
    if kind in (Kind.PASS_RATE, Kind.FIRST_ATTEMPT):
        what_zh = "首次参考通过" if kind is Kind.FIRST_ATTEMPT else "考试通过"
        what_en = "first-attempt passes" if kind is Kind.FIRST_ATTEMPT else "passes"
        return (
            f"{zh_unit} {period} {what_zh} {o:.0f} 人，按其考试项目构成预期 {r:.0f} 人"
            f"（{test.effect:.2f} 倍）。",
            f"{en_unit} {period}: {o:.0f} {what_en} where its mix of items predicts {r:.0f} "
            f"({test.effect:.2f}x).",
        )
    if kind is Kind.YEAR_ON_YEAR:
        return (
            f"{zh_unit} {period} 通过率 {_pct(o)}，上年同月 {_pct(r)}，升幅高于{zh_peers}。",
            f"{en_unit} {period}: pass rate {_pct(o)} against {_pct(r)} a year before, a larger "
            f"rise than {en_peers}.",
        )
    if kind is Kind.VOLUME:
        return (
            f"{zh_unit} {period} 考试 {o:.0f} 人次，按其往月及季节规律预期约 {r:.0f} 人次"
            f"（{test.effect:.1f} 倍）。",
            f"{en_unit} {period}: {o:.0f} exams where its history and the season predict about "
            f"{r:.0f} ({test.effect:.1f}x).",
        )
    if kind is Kind.PRACTICAL_SPREAD:
        return (
            f"{zh_unit} {period} 及格的实操成绩标准差 {o:.1f} 分，{zh_peers}约 {r:.1f} 分，"
            "成绩过于集中。",
            f"{en_unit} {period}: passing practical scores vary by {o:.1f} points (standard "
            f"deviation) against about {r:.1f} at {en_peers}: implausibly uniform.",
        )
    return _share_sentence(test, zh_unit, en_unit, zh_peers, en_peers)


SHARE_WORDS = {
    Kind.HEAPING: (
        "理论考试 80–82 分（刚过及格线）占",
        "theory scores of 80–82 (just over the pass mark) make up",
    ),
    Kind.FAR: ("外省考生占", "candidates from another province make up"),
    Kind.SHARED_CONTACT: (
        "手机号被 3 人以上共用的考生占",
        "candidates whose phone number 3 or more people gave make up",
    ),
    Kind.OFF_DAY: ("在非工作日举行的考试占", "exams held on days off make up"),
}


def _share_sentence(
    test: Test, zh_unit: str, en_unit: str, zh_peers: str, en_peers: str
) -> tuple[str, str]:
    zh, en = SHARE_WORDS[test.kind]
    return (
        f"{zh_unit} {test.period} {zh} {_pct(test.observed)}，{zh_peers}为 {_pct(test.reference)}。",
        f"{en_unit} {test.period}: {en} {_pct(test.observed)}, against {_pct(test.reference)} "
        f"at {en_peers}.",
    )
