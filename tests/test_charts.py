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
    assert 'aria-label="ШНОР. Округ А1: 2024/2025 — 2, 2025/2026 — 4; Округ А2: 2024/2025 — —' in svg


def _name(svg: str) -> str:
    import html

    match = re.search(r'<svg [^>]*role="img" aria-label="([^"]*)"', svg)
    assert match, "a chart is an image with an accessible name"
    title = re.search(r"<title>([^<]*)</title>", svg).group(1)
    assert title == match.group(1)  # the same text as the chart's own <title>
    return html.unescape(match.group(1))


def test_every_chart_is_named_by_its_title_and_data_even_without_a_title():
    from core.charts import bar_chart, stacked_bar

    assert _name(bar_chart(["Семинар", "Вебинар"], [3, None])) == "Семинар — 3, Вебинар — —"
    assert _name(bar_chart(["2023", "2024"], [40.5, 55], title="Доля", unit=" %")) == "Доля. 2023 — 40,5 %, 2024 — 55 %"
    assert (
        _name(line_chart(["2023", "2024"], {"ВПР": [50, None], "ОГЭ": [61.25, 70]}, title="Средний процент"))
        == "Средний процент. ВПР: 2023 — 50, 2024 — —; ОГЭ: 2023 — 61,2, 2024 — 70"
    )
    assert (
        _name(stacked_bar([("Да", 3, "#1f4e79"), ("Нет", 1, "#c0504d"), ("Пусто", 0, "#ccc")]))
        == "Да — 75 %, Нет — 25 %"
    )


def test_a_long_series_is_named_up_to_a_bound():
    from core.charts import DESCRIPTION_MAX_ITEMS, bar_chart

    labels = [f"Школа {n}" for n in range(DESCRIPTION_MAX_ITEMS + 5)]
    name = _name(bar_chart(labels, list(range(len(labels)))))
    assert name.count(" — ") == DESCRIPTION_MAX_ITEMS and name.endswith(", …")


def test_chart_colours_keep_three_to_one_on_white():
    from core.charts import PALETTE

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


def test_heat_map_prints_figures_as_the_tables_do_and_long_skills_in_two_lines():
    from core.charts import heat_map

    skill = "Умение решать текстовые задачи на движение, работу и покупки в несколько действий"
    svg = str(heat_map(["2024/2025", "2025/2026"], [(skill, [(63.0, 61.04, False), (None, None, False)])]))
    assert ">63,0 %<" in svg and "МО 61,0<" in svg  # one decimal always, as in the table under it
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert len(lines) == 2 and all(len(line) <= 46 for line in lines)
    assert " ".join(lines) == skill or lines[1].endswith("…")
    assert f"<title>{skill}</title>" in svg  # the whole name as a tooltip
