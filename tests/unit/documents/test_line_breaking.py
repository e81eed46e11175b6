"""No line of a Chinese paragraph starts with a comma, a colon or a closing quote (GB/T 15834):
the letter once showed a line beginning with "，"."""

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from opcert.documents import fonts
from opcert.documents.line_breaking import CANNOT_START, forbid_line_start_punctuation

TEXT = "请于收函之日起十个工作日内，对上列每项信号逐项回复，回复类型为“已整改”“情况说明”或“经核查无问题”之一：并写明核查经过。"


def _lines(text: str, width: float) -> list[str]:
    fonts.register()
    style = ParagraphStyle("t", fontName=fonts.FONT, fontSize=11, leading=18, wordWrap="CJK")
    paragraph = Paragraph(text, style)
    paragraph.wrap(width, 10_000)
    return [
        "".join(f.text for f in line.words) if hasattr(line, "words") else "".join(line[1])
        for line in paragraph.blPara.lines
    ]


def test_without_the_chinese_marks_reportlab_starts_a_line_with_a_comma(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        monkeypatch.setattr(module, "ALL_CANNOT_START", "".join(
            c for c in module.ALL_CANNOT_START if c not in CANNOT_START))  # fmt: skip
    starts = {line[0] for width in range(60, 400, 3) for line in _lines(TEXT, width)[1:]}
    assert starts & set(CANNOT_START)


@settings(max_examples=60, deadline=None)
@given(width=st.integers(min_value=40, max_value=500))
def test_no_line_starts_with_a_mark_that_may_not_begin_one(width: int) -> None:
    forbid_line_start_punctuation()
    lines = _lines(TEXT, width)
    assert "".join(lines) == TEXT
    assert [line for line in lines[1:] if line[0] in CANNOT_START + "、。"] == []


def test_a_paragraph_with_markup_breaks_the_same_way() -> None:
    forbid_line_start_punctuation()
    marked = TEXT.replace("逐项回复", "<b>逐项回复</b>")
    for width in range(40, 300, 5):
        assert [line for line in _lines(marked, width)[1:] if line[0] in CANNOT_START] == []


def test_adding_the_marks_twice_adds_them_once() -> None:
    from reportlab.lib import textsplit

    forbid_line_start_punctuation()
    once = textsplit.ALL_CANNOT_START
    forbid_line_start_punctuation()
    assert once == textsplit.ALL_CANNOT_START
    assert all(c in once for c in CANNOT_START)
