"""The admin stats chart: weekly numbers in, PNG bytes out (pure, no Slack, no database).

Text is drawn with the fonts bundled in ``handlers/fonts`` (see its README): each character
in the first font that has it, so names and tags in Latin, Greek, Cyrillic, Hebrew, Arabic,
Chinese, Japanese and Korean all render. Sizes are chosen for Slack's preview, which shows
the image at about :data:`PREVIEW_WIDTH` pixels wide.
"""

from __future__ import annotations

import functools
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from storage.stats import WeekStats

WIDTH, HEIGHT = 800, 400
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Slack shows an uploaded image's preview about this wide; text must stay readable there.
PREVIEW_WIDTH = 480

BACKGROUND = "#FFFFFF"
TEXT = "#222222"
MUTED = "#5F6368"
GRID = "#E3E3E3"
AXIS = "#9AA0A6"
COLORS = ("#2E5A88", "#E8913A", "#3A9E6F")  # posts, active posters, new follows

# Font sizes in pixels of the full image.
TITLE_SIZE, LEGEND_SIZE, LABEL_SIZE = 26, 18, 17
SIZES = (TITLE_SIZE, LEGEND_SIZE, LABEL_SIZE)

# The plot area; the title and legend sit above it, week labels, notes and the x-axis label
# below, the y-axis label (turned) and the tick values to its left.
LEFT, RIGHT, TOP, BOTTOM = 78, 784, 86, 262
LINE = 20  # the height of one line of LABEL_SIZE text

FONT_DIR = Path(__file__).with_name("fonts")
# In order of preference: DejaVu Sans for most scripts, Droid Sans Fallback for CJK.
FACES = ("DejaVuSans.ttf", "DroidSansFallback.ttf")


@dataclass(frozen=True)
class ChartText:
    """Every word on the chart, already in the reader's language."""

    title: str
    series: tuple[str, str, str]  # posts, active posters, new follows
    week_labels: Sequence[str]  # one per week
    notes: Sequence[str]  # one per week, under its label (the cross-department share)
    x_axis: str = ""  # under the week labels
    y_axis: str = ""  # along the value axis


@functools.cache
def coverage(face: str) -> frozenset[int]:
    """The code points ``face`` has glyphs for (read once from its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_DIR / face, lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def _font(face: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / face), size)


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (face, run) pieces, each character in the first face that has it.

    A combining mark stays with the character before it; a character no face has is drawn
    with the first face (as its missing-glyph box).
    """
    pieces: list[tuple[str, str]] = []
    for ch in unicodedata.normalize("NFC", text):
        if pieces and unicodedata.combining(ch):
            face = pieces[-1][0]
        else:
            face = next((f for f in FACES if ord(ch) in coverage(f)), FACES[0])
        if pieces and pieces[-1][0] == face:
            pieces[-1] = (face, pieces[-1][1] + ch)
        else:
            pieces.append((face, ch))
    return pieces


def text_width(text: str, size: int) -> float:
    return sum(_font(face, size).getlength(run) for face, run in runs(text))


def draw_text(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, fill: str
) -> None:
    """``text`` with its top-left at ``xy``; every run on one shared baseline."""
    x, y = xy
    baseline = y + _font(FACES[0], size).getmetrics()[0]
    for face, run in runs(text):
        font = _font(face, size)
        draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
        x += font.getlength(run)


def text_image(text: str, size: int, fill: str = TEXT) -> Image.Image:
    """``text`` alone on a transparent image just large enough for it."""
    ascent, descent = _font(FACES[0], size).getmetrics()
    image = Image.new("RGBA", (max(1, math.ceil(text_width(text, size))), ascent + descent))
    draw_text(ImageDraw.Draw(image), (0, 0), text, size, fill)
    return image


def wrap(text: str, size: int, width: float, max_lines: int = 2) -> list[str]:
    """``text`` in lines no wider than ``width``: broken at spaces, or anywhere in a word too
    long for a line (CJK has no spaces); what does not fit in ``max_lines`` ends in "…"."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size) <= width:
            lines[-1] = candidate
            continue
        current = ""
        for ch in word:
            if current and text_width(current + ch, size) > width:
                lines.append(current)
                current = ""
            current += ch
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


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
    draw: ImageDraw.ImageDraw, x: float, y: float, text: str, size: int, fill: str
) -> None:
    draw_text(draw, (x - text_width(text, size) / 2, y), text, size, fill)


def stats_chart(weeks: Sequence[WeekStats], text: ChartText) -> bytes:
    """A grouped bar chart of posts, active posters and new follows per week, as PNG bytes.

    Titled, with a legend, labelled axes, each bar's number, and each week's label and note
    (the cross-department share). All zeros draw an empty, readable chart.
    """
    if len(text.week_labels) != len(weeks) or len(text.notes) != len(weeks):
        raise ValueError("one week label and one note per week")
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)

    draw_text(draw, (16, 12), text.title, TITLE_SIZE, TEXT)
    x = 16.0
    for series, color in zip(text.series, COLORS, strict=True):
        draw.rectangle((x, 54, x + 14, 68), fill=color)
        draw_text(draw, (x + 20, 50), series, LEGEND_SIZE, TEXT)
        x += 20 + text_width(series, LEGEND_SIZE) + 28

    values = [(w.posts, w.active_posters, w.new_follows) for w in weeks]
    top, step = nice_top(max((max(v) for v in values), default=0))

    def y_of(value: int) -> float:
        return BOTTOM - (BOTTOM - TOP) * value / top

    for tick in range(0, top + 1, step):
        y = y_of(tick)
        draw.line((LEFT, y, RIGHT, y), fill=GRID if tick else AXIS, width=1)
        label = str(tick)
        draw_text(
            draw, (LEFT - 8 - text_width(label, LABEL_SIZE), y - LINE / 2), label, LABEL_SIZE, MUTED
        )
    if text.y_axis:
        turned = text_image(text.y_axis, LABEL_SIZE, MUTED).rotate(90, expand=True)
        image.paste(turned, (6, int((TOP + BOTTOM - turned.height) / 2)), turned)
    if text.x_axis:
        _centered(draw, (LEFT + RIGHT) / 2, HEIGHT - LINE - 8, text.x_axis, LABEL_SIZE, TEXT)

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
            _centered(draw, x0 + bar / 2, y_of(value) - LINE - 2, str(value), LABEL_SIZE, TEXT)
        y = BOTTOM + 6.0
        for line in wrap(label, LABEL_SIZE, group - 8):
            _centered(draw, middle, y, line, LABEL_SIZE, TEXT)
            y += LINE
        y = BOTTOM + 6.0 + 2 * LINE + 4
        for line in wrap(note, LABEL_SIZE, group - 8):
            _centered(draw, middle, y, line, LABEL_SIZE, MUTED)
            y += LINE
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
