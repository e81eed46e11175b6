"""The grounds an officer chooses from for the certificate acts that need one."""

from __future__ import annotations

CANCELLATION_GROUNDS = {
    "death": ("持证人死亡", "the holder died"),
    "request": ("持证人提出注销申请", "the holder asked for it"),
    "revoked": ("特种作业操作证被依法撤销", "the certificate was revoked"),
}
REPLACEMENT_REASONS = {"lost": ("遗失", "lost"), "damaged": ("损毁", "damaged")}
REVOCATION_GROUNDS = {
    "expired_without_review": ("超过有效期未延期复审", "past validity without renewal review"),
    "unfit": ("身体条件已不适合继续从事特种作业", "no longer physically fit"),
    "accident": ("对发生生产安全事故负有责任", "responsible for a production safety accident"),
    "false_information": ("特种作业操作证记载虚假信息", "false information on the certificate"),
    "deception": (
        "以欺骗、贿赂等不正当手段取得",
        "obtained by deception, bribery or other improper means",
    ),
}
# A revocation on these grounds bars the holder from new certificates for the ban period.
BANNING_GROUNDS = frozenset({"false_information", "deception"})
