"""The admin stats chart: a real PNG of the right size, whatever the numbers."""

from __future__ import annotations

import fnmatch
import io
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from handlers.charts import (
    BOTTOM,
    COLORS,
    FACES,
    FONT_DIR,
    HEIGHT,
    LEFT,
    PNG_SIGNATURE,
    PREVIEW_WIDTH,
    RIGHT,
    SIZES,
    TOP,
    WIDTH,
    ChartText,
    coverage,
    nice_top,
    runs,
    stats_chart,
    text_image,
    wrap,
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


# No bundled font has this (Supplementary Private Use Area-A): it draws as the missing-glyph box.
MISSING = "\U000f0000"


def ink(text: str) -> bytes:
    """The alpha channel of ``text`` drawn alone: what a reader sees of it."""
    return text_image(text, 24).getchannel("A").tobytes()


def test_the_missing_glyph_is_missing_from_every_bundled_font() -> None:
    assert not any(ord(MISSING) in coverage(face) for face in FACES)


@pytest.mark.parametrize("ch", list("Göteborg東京서울Москваאביבمرحبا€–…"))
def test_letters_of_many_scripts_draw_as_themselves_not_as_boxes(ch: str) -> None:
    drawn = ink(ch)
    assert any(drawn), "nothing drawn"
    assert drawn != ink(MISSING)


def test_each_character_is_drawn_by_the_first_font_that_has_it() -> None:
    assert runs("Göteborg 東京") == [(FACES[0], "Göteborg "), (FACES[1], "東京")]
    # A decomposed letter is composed first; a combining mark stays with its letter.
    assert runs("e\u0301 x\u0302") == [(FACES[0], "é x\u0302")]


def test_a_title_in_any_script_differs_from_the_same_width_of_boxes() -> None:
    def title_strip(title: str) -> Image.Image:
        chart = decode(stats_chart([], ChartText(title, ("a", "b", "c"), [], [])))
        return chart.crop((0, 0, WIDTH, 44))

    assert title_strip("Göteborg 東京") != title_strip(MISSING * 11)


def test_axes_are_labelled() -> None:
    data = weeks((5, 3, 1))
    bare = decode(stats_chart(data, text_for(1)))
    labelled_text = ChartText(**{**text_for(1).__dict__, "x_axis": "Week", "y_axis": "Aantal"})
    labelled = decode(stats_chart(data, labelled_text))
    left_strip, bottom_strip = (0, TOP, 30, BOTTOM), (LEFT, HEIGHT - 34, RIGHT, HEIGHT)
    assert colors_in(bare, left_strip) == {rgb("#FFFFFF")}
    assert len(colors_in(labelled, left_strip)) > 1
    assert colors_in(bare, bottom_strip) == {rgb("#FFFFFF")}
    assert len(colors_in(labelled, bottom_strip)) > 1


def test_text_stays_readable_at_slacks_preview_size() -> None:
    # Slack previews the image about PREVIEW_WIDTH wide: every size must still be 10 px there.
    assert min(SIZES) * PREVIEW_WIDTH / WIDTH >= 10


def test_long_labels_wrap_to_the_room_they_have() -> None:
    assert wrap("2026-11-02 to 2026-11-08", 17, 170) == ["2026-11-02 to", "2026-11-08"]
    assert wrap("東京大阪名古屋札幌福岡神戸京都横浜", 17, 60, max_lines=2)[-1].endswith("…")
    assert wrap("", 17, 100) == []


def test_the_fonts_and_their_licences_ship_with_the_package() -> None:
    config = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    shipped = config["tool"]["setuptools"]["package-data"]["handlers"]
    for path in FONT_DIR.iterdir():
        relative = f"fonts/{path.name}"
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in shipped), relative
    for face in FACES:
        assert (FONT_DIR / face).is_file()
    assert (FONT_DIR / "LICENSE-DejaVu.txt").is_file()
    assert (FONT_DIR / "LICENSE-DroidSansFallback.txt").is_file()
