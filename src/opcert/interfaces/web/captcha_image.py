"""The captcha image: the answer's characters drawn rotated, shifted and waved over noise, so a
script cannot read it as text (the page holds no answer, only the image)."""

from __future__ import annotations

import io
import math
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 200, 70
CELL = 56


@cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=42)


def captcha_png(text: str, seed: bytes) -> bytes:
    """A PNG of ``text``; the same ``seed`` gives the same image."""
    rng = random.Random(seed)  # drawing noise, not a secret
    image = Image.new("RGB", (WIDTH, HEIGHT), _light(rng))
    step = (WIDTH - 20) / max(1, len(text))
    for index, char in enumerate(text):
        glyph = Image.new("L", (CELL, CELL), 0)
        ImageDraw.Draw(glyph).text(
            (CELL / 2, CELL / 2),
            char,
            font=_font(),
            fill=255,
            anchor="mm",
            stroke_width=1,
            stroke_fill=255,
        )
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC)
        x = int(8 + index * step + rng.uniform(-4, 4))
        y = int((HEIGHT - CELL) / 2 + rng.uniform(-6, 6))
        image.paste(Image.new("RGB", glyph.size, _dark(rng)), (x, y), glyph)
    image = _wave(image, rng)
    draw = ImageDraw.Draw(image)
    for _ in range(5):
        points = [(rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)) for _ in range(3)]
        draw.line(points, fill=_dark(rng), width=rng.choice((1, 2)))
    for _ in range(400):
        draw.point((rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)), fill=_dark(rng))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _wave(image: Image.Image, rng: random.Random) -> Image.Image:
    """Bend the picture vertically along a sine, strip by strip (a mesh transform)."""
    amplitude, period, phase = rng.uniform(3, 6), rng.uniform(60, 110), rng.uniform(0, 2 * math.pi)

    def shift(x: float) -> float:
        return amplitude * math.sin(2 * math.pi * x / period + phase)

    mesh = []
    for x0 in range(0, WIDTH, 10):
        x1 = min(WIDTH, x0 + 10)
        d0, d1 = shift(x0), shift(x1)
        quad = (x0, d0, x0, HEIGHT + d0, x1, HEIGHT + d1, x1, d1)
        mesh.append(((x0, 0, x1, HEIGHT), quad))
    background = image.getpixel((0, 0))
    return image.transform(
        image.size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR, fillcolor=background
    )


def _light(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(225, 255), rng.randint(225, 255), rng.randint(225, 255))


def _dark(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(10, 110), rng.randint(10, 110), rng.randint(10, 110))
