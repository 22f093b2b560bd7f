"""The admin stats chart: a real PNG of the right size, whatever the numbers."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from handlers.charts import (
    BOTTOM,
    COLORS,
    HEIGHT,
    LEFT,
    PNG_SIGNATURE,
    RIGHT,
    TOP,
    WIDTH,
    ChartText,
    drawable,
    nice_top,
    stats_chart,
)
from storage.stats import WeekStats

START = datetime(2026, 11, 1, tzinfo=UTC)


def weeks(*values: tuple[int, int, int]) -> list[WeekStats]:
    return [
        WeekStats(
            start=START + timedelta(weeks=i),
            end=START + timedelta(weeks=i + 1),
            posts=posts,
            active_posters=posters,
            new_follows=follows,
        )
        for i, (posts, posters, follows) in enumerate(values)
    ]


def text_for(count: int) -> ChartText:
    return ChartText(
        title="Kring — de afgelopen weken",
        series=("Berichten", "Actieve schrijvers", "Nieuw gevolgd"),
        week_labels=[f"week {i + 1}" for i in range(count)],
        notes=["tussen afdelingen: –"] * count,
    )


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT) == (800, 400)
    return image.convert("RGB")


def colors_in(image: Image.Image, box: tuple[int, int, int, int]) -> set[object]:
    return {c for _, c in image.crop(box).getcolors(maxcolors=100_000) or []}


def plot_colors(image: Image.Image) -> set[object]:
    """The colours inside the plot area (bars, gridlines, numbers), not the legend."""
    return colors_in(image, (LEFT + 1, TOP, RIGHT, BOTTOM))


def rgb(color: str) -> tuple[int, int, int]:
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))


def test_a_chart_is_a_png_of_the_right_size_with_a_bar_per_series() -> None:
    data = weeks((140, 12, 9), (171, 15, 14), (88, 9, 3), (203, 18, 22))
    image = decode(stats_chart(data, text_for(4)))
    inside = plot_colors(image)
    assert all(rgb(color) in inside for color in COLORS)


def test_all_zeros_draw_an_empty_but_valid_chart() -> None:
    image = decode(stats_chart(weeks(*[(0, 0, 0)] * 4), text_for(4)))
    inside = plot_colors(image)
    assert not any(rgb(color) in inside for color in COLORS)
    legend = colors_in(image, (0, 40, WIDTH, 70))
    assert all(rgb(color) in legend for color in COLORS)


def test_no_weeks_at_all_still_draws() -> None:
    decode(stats_chart([], text_for(0)))


def test_labels_must_match_the_weeks() -> None:
    with pytest.raises(ValueError):
        stats_chart(weeks((1, 1, 1), (2, 2, 2)), text_for(3))


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [(0, 5, 1), (1, 1, 1), (3, 3, 1), (7, 8, 2), (203, 250, 50), (1000, 1000, 200)],
)
def test_the_axis_ends_on_a_round_number(largest: int, top: int, step: int) -> None:
    assert nice_top(largest) == (top, step)
    assert top >= largest and top % step == 0


def test_text_is_folded_to_what_the_built_in_font_draws() -> None:
    assert drawable("Één – “zo” … 5€") == 'Een - "zo" ... 5EUR'
    assert drawable("日本") == "??"
