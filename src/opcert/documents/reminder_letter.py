"""The reminder letter (提醒函) as a PDF: the ministry's letterhead, the number, the addressee
province, each signal with the figures behind it, the funnel plot of the province's units
against the nation's, and the reply deadline in working days.

Set in the same embedded Noto Sans CJK SC subset as the certificate (`documents.fonts`), so it
reads the same on a machine without Chinese fonts, and marked up as PDF/A-2b like it
(`documents.pdfa`). The funnel is drawn with reportlab's own graphics (`reportlab.graphics`),
no image library and no browser.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from opcert.documents import fonts
from opcert.documents.line_breaking import forbid_line_start_punctuation
from opcert.documents.pdfa import make_archival

FONT = fonts.FONT
AUTHORITY = "中华人民共和国应急管理部"
RED = HexColor("#c8161d")  # the red of a government letterhead (红头)
INK = HexColor("#1a1a1a")
GREY = HexColor("#9aa0a6")
BLUE = HexColor("#1f5fa8")
WIDTH, HEIGHT = A4
MARGIN = 22 * mm


@dataclass(frozen=True)
class LetterSignal:
    """One signal as the letter states it; figures already worded for the reader."""

    position: int
    unit: str
    kind: str
    period: str
    explanation: str
    observed: str
    reference: str
    effect: str
    p_value: float
    q_value: float


@dataclass(frozen=True)
class FunnelChart:
    """A funnel plot: ``points`` are (expected passes, ratio, role) with role ``nation``,
    ``province`` or ``flagged``; ``labels`` name the flagged points; ``limits`` are (expected,
    inner low, inner high, outer low, outer high)."""

    title: str
    points: Sequence[tuple[float, float, str]]
    limits: Sequence[tuple[float, float, float, float, float]]
    labels: Sequence[tuple[float, float, str]] = ()


@dataclass(frozen=True)
class LetterView:
    number: str
    issued_on: date
    addressee: str  # 广东省应急管理厅
    province_name: str
    period: str  # YYYY-MM
    signals: Sequence[LetterSignal]
    reply_due_on: date
    reply_workdays: int
    reply_due_provisional: bool
    reply_url: str
    funnels: Sequence[FunnelChart] = field(default_factory=list)
    supersedes: str | None = None  # the number of the letter this revision replaces


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _month_words(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:])}月"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    return {
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, firstLineIndent=22),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=17, leading=26, alignment=TA_CENTER, spaceAfter=8
        ),
        "head": ParagraphStyle("head", parent=base, fontSize=12.5, leading=20, spaceBefore=8),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=INK),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
    }


def render(view: LetterView) -> bytes:
    """The letter as PDF bytes (A4, one or more pages)."""
    fonts.register()
    forbid_line_start_punctuation()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"提醒函 {view.number}",
        author=AUTHORITY,
        subject=f"{view.province_name} {view.period} 考试数据异常提醒",
        creator="opcert 全国特种作业操作证平台",
        pageCompression=1,
        initialFontName=FONT,  # no unembedded Helvetica, even on an empty page
    )
    archived: list[bool] = []

    def first(canvas: Canvas, document: BaseDocTemplate) -> None:
        if not archived:
            make_archival(canvas, f"提醒函, {view.number}, {view.province_name}, {view.period}")
            archived.append(True)
        _footer(canvas, document, view)

    doc.build(_story(view, _styles()), onFirstPage=first, onLaterPages=first)
    return out.getvalue()


def _footer(canvas: Canvas, document: BaseDocTemplate, view: LetterView) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, 11 * mm, f"{view.number}")
    canvas.drawRightString(WIDTH - MARGIN, 11 * mm, f"第 {document.page} 页")
    canvas.restoreState()


def _letterhead(view: LetterView, s: dict[str, ParagraphStyle]) -> list[object]:
    head = ParagraphStyle(
        "letterhead", parent=s["body"], fontSize=26, leading=34, alignment=TA_CENTER, textColor=RED
    )
    rule = Drawing(WIDTH - 2 * MARGIN, 6, initialFontName=FONT)
    rule.add(Line(0, 3, WIDTH - 2 * MARGIN, 3, strokeColor=RED, strokeWidth=1.6))
    return [
        Paragraph(AUTHORITY, head),
        Spacer(1, 4),
        Paragraph(view.number, ParagraphStyle("no", parent=s["body"], alignment=TA_CENTER)),
        rule,
        Spacer(1, 10),
    ]


def _story(view: LetterView, s: dict[str, ParagraphStyle]) -> list[object]:
    month = _month_words(view.period)
    story: list[object] = _letterhead(view, s)
    story.append(Paragraph(f"关于{month}特种作业考试数据异常情况的提醒函", s["title"]))
    if view.supersedes:
        story.append(
            Paragraph(f"（本函为修订函，取代{view.supersedes}；请按本函回复。）", s["small"])
        )
    story.append(Paragraph(f"{view.addressee}：", s["body"]))
    story.append(
        Paragraph(
            f"全国特种作业操作证平台对{month}各地考试数据进行了统计分析。在对全国各省、市、"
            f"考试机构和考试点的全部检验进行错误发现率控制后，贵省下列 {len(view.signals)} "
            "项数据明显偏离同期同类单位或其自身历史，现予提醒。上述信号是统计意义上的异常，"
            "不等于认定存在违规；请组织核查，并逐项回复核查结果。",
            s["indent"],
        )
    )
    story.append(Paragraph("一、异常信号及其依据", s["head"]))
    for signal in view.signals:
        story.append(KeepTogether(_signal_block(signal, s)))
    if view.funnels:
        story.append(Paragraph("二、通过率漏斗图", s["head"]))
        story.append(
            Paragraph(
                "横轴为按考试项目构成预期的通过人数（对数刻度），纵轴为实际与预期通过人数之比；"
                "虚线为 95%、实线为 99.8% 控制限（已计入全国各单位之间的过度离散）。"
                "灰点为全国其他单位，蓝点为贵省单位，红点为本函所列单位。",
                s["small"],
            )
        )
        for chart in view.funnels:
            story.append(KeepTogether([Spacer(1, 6), funnel_drawing(chart)]))
    else:
        story.append(
            Paragraph(
                "（本月所涉层级的单位考试人次不足，无法估计其间离散程度，未绘制通过率漏斗图。）",
                s["small"],
            )
        )
    story.append(Paragraph(("三" if view.funnels else "二") + "、回复要求", s["head"]))
    story.extend(_reply(view, s))
    story.append(Spacer(1, 18))
    story.append(Paragraph(AUTHORITY, s["right"]))
    story.append(Paragraph(chinese_date(view.issued_on), s["right"]))
    return story


def _signal_block(signal: LetterSignal, s: dict[str, ParagraphStyle]) -> list[object]:
    cell = s["cell"]
    head = ("单位", "信号类型", "观测值", "参照值", "效应量", "p 值", "q 值")
    values = (
        signal.unit,
        signal.kind,
        signal.observed,
        signal.reference,
        signal.effect,
        f"{signal.p_value:.2g}",
        f"{signal.q_value:.2g}",
    )
    rows = [[Paragraph(x, cell) for x in head], [Paragraph(x, cell) for x in values]]
    widths = [38, 32, 22, 24, 18, 16, 16]
    table = Table(rows, colWidths=[w * mm for w in widths])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else the table sets Helvetica
                ("GRID", (0, 0), (-1, -1), 0.4, GREY),
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#f1f3f4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [
        Spacer(1, 4),
        Paragraph(f"（{signal.position}）{signal.explanation}", s["body"]),
        Spacer(1, 3),
        table,
    ]


def _reply(view: LetterView, s: dict[str, ParagraphStyle]) -> list[object]:
    due = chinese_date(view.reply_due_on)
    note = "（节假日安排尚未公布，日期为暂定）" if view.reply_due_provisional else ""
    return [
        Paragraph(
            f"请于收函之日起 {view.reply_workdays} 个工作日内，即 {due}（含）之前{note}，"
            "对上列每项信号逐项回复，回复类型为“已整改”“情况说明”或“经核查无问题”之一，"
            "并写明核查经过、结论及整改措施。",
            s["indent"],
        ),
        Paragraph(
            f"回复方式：由贵省发证机关工作人员登录全国特种作业操作证平台，在 {view.reply_url} "
            "逐项填写并提交。回复将记入平台审计账本。",
            s["indent"],
        ),
    ]


def _ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks across the range; every integer mantissa when it spans less than a decade."""
    mantissas = (1, 2, 5) if high / low >= 10 else tuple(range(1, 10))
    ticks = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in mantissas:
            value = mantissa * 10.0**exponent
            if low <= value <= high:
                ticks.append(value)
    if len(ticks) < 2:  # a narrow range: name its ends too
        ticks = sorted({*ticks, float(f"{low * 1.02:.2g}"), float(f"{high / 1.02:.2g}")})
    return ticks


def _ratio_range(chart: FunnelChart) -> tuple[float, float, float]:
    """The ratio axis: from just below the lowest point or limit to just above the highest (so a
    narrow funnel is not squashed against a zero line), with a tick step that gives 3 to 8 ticks."""
    lows = [p[1] for p in chart.points] + [lim[3] for lim in chart.limits]
    highs = [p[1] for p in chart.points] + [lim[4] for lim in chart.limits]
    bottom, top = min(lows, default=0.5), max(highs, default=1.5)
    span = max(top - bottom, 0.2)
    step = next(s for s in (0.05, 0.1, 0.25, 0.5, 1.0, 2.0) if span / s <= 7)
    bottom = max(0.0, math.floor((bottom - span * 0.05) / step) * step)
    top = math.ceil((top + span * 0.05) / step) * step
    return bottom, min(top, bottom + 8 * step), step


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the drawing, and its scales: log of expected passes across, the
    ratio up (clipped to its range)."""

    left: float
    bottom: float
    right: float
    top: float
    low: float
    high: float
    y_low: float
    y_top: float

    def x_of(self, v: float) -> float:
        span = math.log(self.high) - math.log(self.low) or 1.0
        share = (math.log(max(v, self.low)) - math.log(self.low)) / span
        return self.left + share * (self.right - self.left)

    def y_of(self, v: float) -> float:
        clipped = min(max(v, self.y_low), self.y_top)
        return self.bottom + (clipped - self.y_low) / (self.y_top - self.y_low) * (
            self.top - self.bottom
        )


def funnel_drawing(chart: FunnelChart, width: float = WIDTH - 2 * MARGIN) -> Drawing:
    """The funnel plot as a reportlab Drawing (a flowable): log-scaled expected passes across,
    the observed-over-expected ratio up, the control limits as lines."""
    height = float(78 * mm)
    drawing = Drawing(width, height, initialFontName=FONT)
    drawing.add(String(34.0, height - 11, chart.title, fontName=FONT, fontSize=10, fillColor=INK))
    xs = [p[0] for p in chart.points] + [lim[0] for lim in chart.limits]
    low = float(max(min(xs, default=1.0), 0.5))
    high = float(max(max(xs, default=10.0), 2.0))
    pad = float((high / low) ** 0.04)  # a margin on each side, so no point sits on the frame
    y_low, y_top, step = _ratio_range(chart)
    frame = _Frame(34.0, 28.0, width - 8, height - 28, low / pad, high * pad, y_low, y_top)
    _draw_axes(drawing, frame, step)
    _draw_limits(drawing, frame, chart)
    _draw_points(drawing, frame, chart)
    return drawing


def _draw_axes(drawing: Drawing, f: _Frame, step: float) -> None:
    drawing.add(Rect(f.left, f.bottom, f.right - f.left, f.top - f.bottom, fillColor=white,
                     strokeColor=GREY))  # fmt: skip
    for tick in _ticks(f.low, f.high):
        drawing.add(Line(f.x_of(tick), f.bottom, f.x_of(tick), f.bottom - 3, strokeColor=INK))
        drawing.add(String(f.x_of(tick), f.bottom - 11, f"{tick:g}", fontName=FONT, fontSize=7,
                           textAnchor="middle"))  # fmt: skip
    for n in range(round((f.y_top - f.y_low) / step) + 1):
        value = f.y_low + n * step
        drawing.add(Line(f.left - 3, f.y_of(value), f.left, f.y_of(value), strokeColor=INK))
        drawing.add(String(f.left - 5, f.y_of(value) - 2.5, f"{value:g}", fontName=FONT,
                           fontSize=7, textAnchor="end"))  # fmt: skip
    drawing.add(String((f.left + f.right) / 2, 4, "预期通过人数（对数刻度）", fontName=FONT,
                       fontSize=8, textAnchor="middle"))  # fmt: skip
    drawing.add(String(2, f.top + 7, "实际/预期", fontName=FONT, fontSize=8, fillColor=INK))


def _draw_limits(drawing: Drawing, f: _Frame, chart: FunnelChart) -> None:
    """The target ratio 1, then the inner (dashed) and outer control limits."""
    drawing.add(Line(f.left, f.y_of(1.0), f.right, f.y_of(1.0), strokeColor=GREY,
                     strokeWidth=0.6))  # fmt: skip
    for index, dashed in ((1, True), (2, True), (3, False), (4, False)):
        line = [(f.x_of(lim[0]), f.y_of(lim[index])) for lim in chart.limits]
        if len(line) > 1:
            drawing.add(
                PolyLine(
                    [c for pair in line for c in pair],
                    strokeColor=INK,
                    strokeWidth=0.7,
                    strokeDashArray=[3, 2] if dashed else None,
                )
            )


def _draw_points(drawing: Drawing, f: _Frame, chart: FunnelChart) -> None:
    """The nation's units, then the province's on top, then the flagged ones and their labels."""
    colour: dict[str, tuple[Color, float]] = {
        "nation": (GREY, 1.6),
        "province": (BLUE, 2.4),
        "flagged": (RED, 3.0),
    }
    for role in ("nation", "province", "flagged"):
        fill, radius = colour[role]
        for x, y, r in chart.points:
            if r == role:
                drawing.add(Circle(f.x_of(x), f.y_of(y), radius, fillColor=fill, strokeColor=None))
    for x, y, text in chart.labels:
        drawing.add(String(f.x_of(x) + 4, f.y_of(y) + 3, text, fontName=FONT, fontSize=7,
                           fillColor=RED))  # fmt: skip
