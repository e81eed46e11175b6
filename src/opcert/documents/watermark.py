"""The diagonal state watermark on a certificate that is not valid: 已撤销, 已过期 … 作废.

A valid certificate has none. The watermark is translucent red, so the fields and the QR code
stay readable (the QR still scans, and the verifier then shows the state from the status list).
"""

from __future__ import annotations

import math

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from opcert.domain.certificate_states import PublicStatus

INK = HexColor("#c62828")
OPACITY = 0.38
ANGLE = math.radians(30)


def watermark_lines(status: PublicStatus) -> tuple[str, str] | None:
    """The big state word and the line under it, or None for a valid certificate.

    The state's label comes from the domain's one table (``PublicStatus.look``), and so does
    whether the paper is void (作废: it can never again prove a qualification); a parenthesised
    reason (已失效（未按期复审）) moves to the second line."""
    if status is PublicStatus.VALID:
        return None
    look = status.look
    word, _, reason = look.label_zh.partition("（")
    reason = reason.rstrip("）")
    detail = "作废 · 不得作为持证上岗凭证" if look.void else "现不得作为持证上岗凭证"
    return word, f"{reason} · {detail}" if reason else detail


def draw_watermark(
    canvas: Canvas, status: PublicStatus, box: tuple[float, float, float, float], font: str
) -> None:
    """Draw `status`'s watermark, if it needs one, as large as fits in `box` (x, y, w, h)."""
    lines = watermark_lines(status)
    if lines is None:
        return
    word, detail = lines
    x, y, width, height = box
    # Lay the stamp out at size 1, then scale it so that, turned, it fills 85% of the box.
    word_width = canvas.stringWidth(word, font, 1)
    small = min(0.24, word_width / canvas.stringWidth(detail, font, 1))
    stamp_width = max(word_width, canvas.stringWidth(detail, font, small)) + 0.5
    stamp_height = 1.2 + small * 2.6
    cos, sin = math.cos(ANGLE), math.sin(ANGLE)
    size = 0.85 * min(
        width / (stamp_width * cos + stamp_height * sin),
        height / (stamp_width * sin + stamp_height * cos),
    )
    canvas.saveState()
    canvas.translate(x + width / 2, y + height / 2)
    canvas.rotate(math.degrees(ANGLE))
    canvas.scale(size, size)
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setFillAlpha(OPACITY)
    canvas.setStrokeAlpha(OPACITY)
    canvas.setFont(font, 1)
    canvas.drawCentredString(0, -0.35 + small * 1.3, word)
    canvas.setFont(font, small)
    canvas.drawCentredString(0, -0.35 - small * 0.5, detail)
    canvas.setLineWidth(0.05)
    canvas.roundRect(
        -stamp_width / 2, -stamp_height / 2, stamp_width, stamp_height, 0.15, stroke=1, fill=0
    )
    canvas.restoreState()
