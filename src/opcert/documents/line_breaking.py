"""Chinese line breaking for ReportLab paragraphs (``wordWrap="CJK"``).

ReportLab's CJK wrap hangs a character that may not start a line in the right margin instead of
pushing it to the next line (kinsoku shori), but its list (``reportlab.lib.textsplit``) is the
Japanese one: it holds 、 and 。 and ASCII punctuation, not the full-width comma, semicolon,
colon, question and exclamation marks or the closing quotes and brackets of Chinese text. A
letter then showed a line starting with "，". GB/T 15834-2011 (标点符号用法) forbids that: these
marks never begin a line. ReportLab reads the list from a module global at each wrap, in two
places: ``textsplit.wordSplit`` (a paragraph in one font) and ``paragraph.cjkFragSplit`` (one with
markup); adding the marks to both globals is the only way to change it.
"""

from __future__ import annotations

from reportlab.lib import textsplit
from reportlab.platypus import paragraph

# 逗号 分号 冒号 问号 叹号, and the closing halves of quotes, brackets and title marks (句号 and 顿号
# are in ReportLab's list already). 破折号 and 省略号 may begin a line; they are only never split.
CANNOT_START = "，；：？！”’）》〉】〗〕｝"


def forbid_line_start_punctuation() -> None:
    """Add the Chinese marks to the characters ReportLab never starts a line with (idempotent)."""
    for module in (textsplit, paragraph):
        missing = "".join(c for c in CANNOT_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START = module.ALL_CANNOT_START + missing
