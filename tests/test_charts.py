"""Line charts: a period without a value shows as a gap, not as data."""

import re

import pytest

from core.charts import line_chart


def _shapes(svg: str) -> dict:
    return {
        "polylines": [p.split() for p in re.findall(r'<polyline points="([^"]+)"', svg)],
        "dashed": len(re.findall(r'<line [^>]*stroke-dasharray="4 4"', svg)),
        "points": len(re.findall(r"<circle ", svg)),
    }


def test_consecutive_values_are_one_solid_line():
    got = _shapes(line_chart(["a", "b", "c"], {"Факт": [1, 2, 3]}))
    assert [len(p) for p in got["polylines"]] == [3]
    assert (got["dashed"], got["points"]) == (0, 3)


def test_a_gap_breaks_the_line_and_is_bridged_by_a_dashed_one():
    got = _shapes(line_chart(["a", "b", "c", "d", "e"], {"Факт": [1, 2, None, 4, 5]}))
    assert [len(p) for p in got["polylines"]] == [2, 2]
    assert (got["dashed"], got["points"]) == (1, 4)


def test_lone_values_between_gaps_are_points_joined_by_dashes_only():
    got = _shapes(line_chart(["a", "b", "c", "d", "e"], {"Факт": [None, 1, None, None, 3]}))
    assert got["polylines"] == []
    assert (got["dashed"], got["points"]) == (1, 2)


def test_no_values_draw_nothing_but_the_axes():
    got = _shapes(line_chart(["a", "b"], {"Факт": [None, None]}))
    assert (got["polylines"], got["dashed"], got["points"]) == ([], 0, 0)


def test_legend_labels_are_cut_to_their_room_and_keep_the_whole_name_as_a_tooltip():
    from core.charts import LEGEND_CHAR_PX

    long = "Математика (профильный уровень)"
    svg = line_chart(["a", "b"], {long: [1, 2], "Русский язык": [2, 1]}, width=320)
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" class="l">(?:<title>([^<]*)</title>)?([^<]*)</text>', svg)
    legend = [(float(x), tip, text) for x, tip, text in labels if text.startswith(("Мат", "Рус"))]
    (x1, tip1, text1), (x2, _tip2, text2) = legend
    assert tip1 == long and text1.endswith("…") and len(text1) < len(long)
    assert x1 + len(text1) * LEGEND_CHAR_PX <= x2  # the first label ends before the second begins
    assert text2 == "Русский язык"


def test_small_multiples_share_one_scale_and_mark_the_total():
    from core.charts import small_multiples

    svg = small_multiples(
        [("Округ А1", [2, 4]), ("Округ А2", [None, 1]), ("Регион, всего", [2, 5])],
        ["2024/2025", "2025/2026"],
        title="ШНОР",
        columns=2,
        highlight="Регион, всего",
    )
    assert svg.startswith("<svg") and svg.count("<rect") == 5 + 1, "five bars and the total's frame"
    heights = [float(h) for h in re.findall(r'height="([^"]+)" fill="#', svg)]
    assert len(heights) == 5
    assert max(heights) == pytest.approx(5 * min(heights), rel=0.02), "5 is as tall as five 1s: one scale"
    assert ">—</text>" in svg, "a year without a value"
    assert "Регион, всего, 2025/2026: 5" in svg
    assert 'aria-label="ШНОР"' in svg
