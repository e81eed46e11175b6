"""The certificate as a PDF: an A4 page or a card-sized page, in the 2019 national style.

Chinese is set in Noto Sans CJK SC, embedded as a subset (`documents.fonts`), so the page reads
the same in any viewer, with or without Chinese fonts of its own; the file aims at PDF/A-2b
(`documents.pdfa`). The QR code is the credential itself, so the paper verifies offline exactly
like the electronic one. A certificate that is not valid carries its state across the page as a
diagonal watermark (`documents.watermark`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from opcert.documents import fonts
from opcert.documents.pdf_images import draw_png
from opcert.documents.pdfa import make_archival
from opcert.documents.watermark import draw_watermark
from opcert.domain.lifecycle import PublicStatus

FONT = fonts.FONT
CARD = (85.6 * mm, 54 * mm)
STYLES = {
    "SO": (HexColor("#1f5fa8"), HexColor("#e8f0fa")),
    "SM": (HexColor("#2e7d4f"), HexColor("#e8f5ec")),
}
TITLES = {"SO": "中华人民共和国特种作业操作证", "SM": "安全生产知识和管理能力考核合格证"}
FOOTER = "中华人民共和国应急管理部监制"


@dataclass(frozen=True)
class CertificateView:
    typ: str
    number: str
    name: str
    sex: str
    category: str
    item: str
    first_issued_on: str
    valid_from: str
    valid_to: str
    review_due_on: str
    reviewed_on: str
    authority: str
    qr_png: bytes
    photo: bytes | None = None
    status: PublicStatus = PublicStatus.VALID

    def fields(self) -> list[tuple[str, str]]:
        return [
            ("姓名", self.name),
            ("性别", self.sex),
            ("证号", self.number),
            ("作业类别", self.category),
            ("操作项目", self.item),
            ("初领日期", self.first_issued_on),
            ("有效期", f"{self.valid_from} 至 {self.valid_to}"),
            ("应复审日期", self.review_due_on),
            ("实际复审日期", self.reviewed_on),
            ("签发机关", self.authority),
        ]


def render(view: CertificateView, layout: str = "a4") -> bytes:
    """Render the certificate; ``layout`` is ``a4`` or ``card``. Raises ValueError otherwise."""
    if layout not in ("a4", "card"):
        raise ValueError(f"unknown layout {layout!r}")
    fonts.register()
    out = io.BytesIO()
    size = A4 if layout == "a4" else CARD
    canvas = Canvas(out, pagesize=size, pageCompression=1, initialFontName=FONT)
    title = TITLES.get(view.typ, TITLES["SO"])
    canvas.setTitle(f"{title} {view.number}")
    canvas.setAuthor(view.authority)
    canvas.setSubject(view.number)
    canvas.setCreator("opcert 全国特种作业操作证平台")
    make_archival(canvas, f"{title}, {view.number}, {view.name}, {view.item}, SC1")
    if layout == "a4":
        _a4(canvas, view)
        box = (14 * mm, 70 * mm, size[0] - 28 * mm, size[1] - 84 * mm)
    else:
        _card(canvas, view)
        box = (0, 0, *size)
    draw_watermark(canvas, view.status, box, FONT)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _colours(view: CertificateView) -> tuple[Color, Color]:
    return STYLES.get(view.typ, STYLES["SO"])


def _a4(canvas: Canvas, view: CertificateView) -> None:
    width, height = A4
    ink, paper = _colours(view)
    left, top = 20 * mm, height - 20 * mm
    canvas.setFillColor(paper)
    canvas.roundRect(
        left - 6 * mm, 95 * mm, width - 2 * left + 12 * mm, top - 90 * mm, 6 * mm, stroke=0, fill=1
    )
    canvas.setFillColor(ink)
    canvas.rect(left - 6 * mm, top - 16 * mm, width - 2 * left + 12 * mm, 20 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(FONT, 20)
    canvas.drawCentredString(width / 2, top - 9 * mm, TITLES.get(view.typ, TITLES["SO"]))
    _photo(canvas, view, left, top - 62 * mm, 30 * mm, 40 * mm)
    canvas.setFillColor(HexColor("#1a1a1a"))
    y = top - 28 * mm
    for label, value in view.fields():
        canvas.setFont(FONT, 11)
        canvas.drawString(left + 38 * mm, y, label)
        canvas.setFont(FONT, 12)
        canvas.drawString(left + 66 * mm, y, value or "—")
        y -= 9 * mm  # the last row (签发机关) stays above the QR code, however long
    qr_size = 62 * mm
    draw_png(canvas, view.qr_png, width - left - qr_size, 100 * mm, qr_size, qr_size)
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(width - left - qr_size / 2, 97 * mm, "扫码核验 · 离线亦可验证")
    canvas.setFont(FONT, 12)
    canvas.setFillColor(ink)
    canvas.drawCentredString(width / 2, 80 * mm, FOOTER)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(HexColor("#555555"))
    canvas.drawCentredString(
        width / 2,
        72 * mm,
        "电子证照与实体证书具有同等法律效力；未在全国平台登记的证书不是真实有效的证书。",
    )


def _card(canvas: Canvas, view: CertificateView) -> None:
    width, height = CARD
    ink, paper = _colours(view)
    canvas.setFillColor(paper)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setFillColor(ink)
    canvas.rect(0, height - 8 * mm, width, 8 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(FONT, 8.5)
    canvas.drawCentredString(width / 2, height - 5.5 * mm, TITLES.get(view.typ, TITLES["SO"]))
    _photo(canvas, view, 3 * mm, height - 30 * mm, 15 * mm, 20 * mm)
    canvas.setFillColor(HexColor("#1a1a1a"))
    y = height - 12 * mm
    for label, value in view.fields():
        canvas.setFont(FONT, 4.6)
        canvas.drawString(20 * mm, y, f"{label}  {value or '—'}")
        y -= 3.6 * mm
    qr_size = 26 * mm
    draw_png(canvas, view.qr_png, width - qr_size - 1.5 * mm, 4 * mm, qr_size, qr_size)
    canvas.setFont(FONT, 4)
    canvas.setFillColor(ink)
    canvas.drawCentredString(width / 2, 1.5 * mm, FOOTER)


def _photo(canvas: Canvas, view: CertificateView, x: float, y: float, w: float, h: float) -> None:
    if view.photo:
        canvas.drawImage(ImageReader(io.BytesIO(view.photo)), x, y, w, h, preserveAspectRatio=True)
        return
    canvas.setStrokeColor(HexColor("#9aa5b1"))
    canvas.setFillColor(HexColor("#f4f6f8"))
    canvas.rect(x, y, w, h, stroke=1, fill=1)
    canvas.setFillColor(HexColor("#9aa5b1"))
    canvas.setFont(FONT, max(4, w / mm / 3))
    canvas.drawCentredString(x + w / 2, y + h / 2, "照片")
