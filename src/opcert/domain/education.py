"""Education levels, as far as the eligibility rules need to tell them apart."""

from __future__ import annotations

import unicodedata
from enum import IntEnum

from opcert.domain.errors import FieldError


class Education(IntEnum):
    """Highest completed education, ordered so that ``>=`` means "at least"."""

    NONE = 0
    PRIMARY = 1
    JUNIOR_HIGH = 2
    # Includes the equivalents the rules accept: 中专, 技校, 职高 (中职).
    SENIOR_HIGH = 3
    # 大专 and above.
    COLLEGE = 4

    @property
    def label_zh(self) -> str:
        """Chinese label, e.g. 初中."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _LABELS[self][1]


_LABELS: dict[Education, tuple[str, str]] = {
    Education.NONE: ("无学历", "No formal education"),
    Education.PRIMARY: ("小学", "Primary school"),
    Education.JUNIOR_HIGH: ("初中", "Junior high school"),
    Education.SENIOR_HIGH: ("高中或中专", "Senior high school or equivalent"),
    Education.COLLEGE: ("大专及以上", "College or above"),
}

_WORDS: dict[str, Education] = {
    **{level.name.lower(): level for level in Education},
    **{str(level.value): level for level in Education},
    **dict.fromkeys(["无", "无学历", "文盲", "半文盲", "未上学", "未受教育"], Education.NONE),
    **dict.fromkeys(["小学"], Education.PRIMARY),
    **dict.fromkeys(["初中", "初级中学"], Education.JUNIOR_HIGH),
    **dict.fromkeys(
        [
            "高中",
            "高级中学",
            "中专",
            "中等专业学校",
            "中技",
            "技校",
            "技工学校",
            "职高",
            "职业高中",
            "中职",
            "高中或中专",
        ],
        Education.SENIOR_HIGH,
    ),
    **dict.fromkeys(
        [
            "大专",
            "专科",
            "大学专科",
            "高职",
            "本科",
            "大学",
            "大学本科",
            "研究生",
            "硕士",
            "硕士研究生",
            "博士",
            "博士研究生",
            "大专及以上",
        ],
        Education.COLLEGE,
    ),
}


def parse_education(text: str, field: str = "education") -> Education:
    """Read an education level from the enum name (any case), its number, or
    the usual Chinese words (小学, 初中, 高中, 中专, 技校, 大专, 本科, 硕士...).

    A trailing 学历/毕业/及以上 is ignored, so 初中毕业 and 本科学历 read as
    初中 and 本科. Raises ``FieldError`` (``EDUCATION_UNKNOWN``) otherwise.
    """
    key = "_".join(unicodedata.normalize("NFKC", text).split()).lower().replace("-", "_")
    for suffix in ("学历", "毕业", "及以上", "以上"):
        if key not in _WORDS and key.endswith(suffix) and len(key) > len(suffix):
            key = key.removesuffix(suffix)
    found = _WORDS.get(key)
    if found is None:
        raise FieldError(
            field,
            "EDUCATION_UNKNOWN",
            f"无法识别的学历“{text.strip()}”，请填写小学、初中、高中、中专、大专或本科等。",
            f"Unrecognised education level '{text.strip()}'; use e.g. primary, junior_high, "
            "senior_high or college.",
        )
    return found
