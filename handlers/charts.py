"""The admin stats chart: weekly numbers in, PNG bytes out (pure, no Slack, no database)."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from storage.stats import WeekStats

WIDTH, HEIGHT = 800, 400
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BACKGROUND = "#FFFFFF"
TEXT = "#222222"
MUTED = "#5F6368"
GRID = "#E3E3E3"
AXIS = "#9AA0A6"
COLORS = ("#2E5A88", "#E8913A", "#3A9E6F")  # posts, active posters, new follows

# The plot area; the title and legend sit above it, week labels and notes below.
LEFT, RIGHT, TOP, BOTTOM = 64, 780, 84, 318

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Pillow's built-in font draws ASCII only; the rest becomes the nearest ASCII.
TYPOGRAPHY = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-", "€": "EUR"}
)


@dataclass(frozen=True)
class ChartText:
    """Every word on the chart, already in the reader's language."""

    title: str
    series: tuple[str, str, str]  # posts, active posters, new follows
    week_labels: Sequence[str]  # one per week
    notes: Sequence[str]  # one per week, under its label (the cross-department share)


def _font(size: int) -> Font:
    """Pillow's built-in font, scaled where this Pillow can (10.1+ with FreeType)."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow 10.0 has only the fixed-size bitmap font
        return ImageFont.load_default()


def drawable(text: str) -> str:
    """``text`` in the characters the built-in font has: accents dropped (é → e), dashes and
    quotes made plain, anything else left a question mark."""
    plain = unicodedata.normalize("NFKD", text.translate(TYPOGRAPHY))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return "".join(ch if " " <= ch <= "~" else "?" for ch in plain)


def nice_top(largest: int, ticks: int = 5) -> tuple[int, int]:
    """The axis maximum and the step between gridlines: whole numbers of 1, 2 or 5 × 10ⁿ."""
    if largest <= 0:
        return ticks, 1
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, math.ceil(step))
    return step * math.ceil(largest / step), step


def _centered(
    draw: ImageDraw.ImageDraw, x: float, y: float, text: str, font: Font, fill: str
) -> None:
    text = drawable(text)
    width = draw.textlength(text, font=font)
    draw.text((x - width / 2, y), text, font=font, fill=fill)


def stats_chart(weeks: Sequence[WeekStats], text: ChartText) -> bytes:
    """A grouped bar chart of posts, active posters and new follows per week, as PNG bytes.

    Each bar carries its number; each week its label and note (the cross-department share).
    All zeros draw an empty, readable chart.
    """
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, label_font, small_font = _font(18), _font(13), _font(12)

    draw.text((LEFT - 44, 16), drawable(text.title), font=title_font, fill=TEXT)
    x = LEFT - 44
    for series, color in zip(text.series, COLORS, strict=True):
        name = drawable(series)
        draw.rectangle((x, 52, x + 12, 64), fill=color)
        draw.text((x + 18, 51), name, font=label_font, fill=TEXT)
        x += 18 + int(draw.textlength(name, font=label_font)) + 28

    values = [(w.posts, w.active_posters, w.new_follows) for w in weeks]
    top, step = nice_top(max((max(v) for v in values), default=0))
    height = BOTTOM - TOP

    def y_of(value: int) -> float:
        return BOTTOM - height * value / top

    for tick in range(0, top + 1, step):
        y = y_of(tick)
        draw.line((LEFT, y, RIGHT, y), fill=GRID if tick else AXIS, width=1)
        label = str(tick)
        draw.text(
            (LEFT - 8 - draw.textlength(label, font=small_font), y - 8),
            label,
            font=small_font,
            fill=MUTED,
        )

    if not weeks:
        return _png(image)
    group = (RIGHT - LEFT) / len(weeks)
    bar = min(40.0, group * 0.8 / 3)
    gap = 4.0
    for i, (week_values, label, note) in enumerate(
        zip(values, text.week_labels, text.notes, strict=True)
    ):
        middle = LEFT + group * (i + 0.5)
        first = middle - (3 * bar + 2 * gap) / 2
        for j, (value, color) in enumerate(zip(week_values, COLORS, strict=True)):
            x0 = first + j * (bar + gap)
            if value > 0:
                draw.rectangle((x0, y_of(value), x0 + bar, BOTTOM), fill=color)
            _centered(draw, x0 + bar / 2, y_of(value) - 17, str(value), small_font, TEXT)
        _centered(draw, middle, BOTTOM + 10, label, label_font, TEXT)
        _centered(draw, middle, BOTTOM + 30, note, small_font, MUTED)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
