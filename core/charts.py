"""Server-side SVG charts, so a page and its PDF show the same picture (no JS libraries).

Every function returns a self-contained ``<svg>`` string marked safe for templates; text is
escaped.  Colours meet WCAG contrast on white (3:1 at least for bars and lines, 4.5:1 for
text).  Each chart is an image with an accessible name that carries its data (``role="img"``
hides the drawing's own text from a screen reader): the title, then each label with its
value, so a reader who cannot see the picture hears what it shows."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe

PALETTE = ["#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#b36a1e", "#2a7f8a", "#595959", "#a0427a"]
# The longest data description an accessible name carries; past it the name ends with «…».
DESCRIPTION_MAX_ITEMS = 60


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _fmt1(v: float) -> str:
    """A figure as the tables print it: one decimal, always («63,0»)."""
    return f"{v:.1f}".replace(".", ",")


def _two_lines(text: str, width: int) -> list[str]:
    """A label in at most two lines of ``width`` characters, cut at a word; «…» when longer."""
    if len(text) <= width:
        return [text]
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    first, rest = text[:cut], text[cut:].strip()
    return [first, rest if len(rest) <= width else rest[: width - 1].rstrip() + "…"]


def _nice_step(span: float, ticks: int = 5) -> float:
    """The smallest 1, 2 or 5 × 10ᵏ that divides ``span`` into at most ``ticks`` steps."""
    if span <= 0:
        return 1.0
    rough = span / ticks
    magnitude = 10 ** math.floor(math.log10(rough))
    for m in (1, 2, 5, 10):
        if m * magnitude >= rough - 1e-12:
            return m * magnitude
    return 10 * magnitude


def _nice_max(v: float) -> float:
    """The axis top: ``v`` rounded up to a whole number of nice steps."""
    if v <= 0:
        return 1.0
    step = _nice_step(v)
    return step * math.ceil(v / step - 1e-9)


def _tick(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str = "",
    width: int = 560,
    height: int = 260,
    max_value: float | None = None,
    unit: str = "",
    color: str = PALETTE[0],
) -> str:
    """Vertical bars with value labels; None values are drawn as gaps labelled «—»."""
    left, right, top, bottom = 44, 10, 28 if title else 12, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = max_value or _nice_max(max((v for v in values if v is not None), default=0))
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.6, 2)
    parts = [_open(width, height, title, _describe(zip(labels, values, strict=False), unit))]
    parts += _y_axis(left, top, plot_w, plot_h, vmax, unit)
    for i, (label, v) in enumerate(zip(labels, values, strict=False)):
        x = left + i * slot + (slot - bar_w) / 2
        if v is None:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" class="v">—</text>'
            )
        else:
            h = plot_h * min(v, vmax) / vmax
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"><title>{escape(str(label))}: {_fmt(v)}{escape(unit)}</title></rect>'
            )
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="v">{_fmt(v)}</text>'
            )
        parts.append(_x_label(left + i * slot + slot / 2, top + plot_h + 14, str(label), n))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str = "",
    width: int = 560,
    height: int = 260,
    max_value: float | None = None,
    unit: str = "",
    target: float | None = None,
    sections: Sequence[tuple[int, str]] = (),
) -> str:
    """One line per series over shared x labels, with a legend; an optional dashed target.

    ``sections``: (index of the first x label, caption) of consecutive parts of the axis, e.g.
    one per academic year: each is captioned at its top left and divided from the one before
    by a dotted vertical line."""
    left, right, top, bottom = 44, 36, 28 if title else 12, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    all_values = [v for vals in series.values() for v in vals if v is not None]
    if target is not None:
        all_values.append(target)
    vmax = max_value or _nice_max(max(all_values, default=0))
    n = max(len(x_labels), 1)
    step = plot_w / max(n - 1, 1) if n > 1 else 0
    description = "; ".join(
        f"{name}: {_describe(zip(x_labels, vals, strict=False), unit)}" for name, vals in series.items()
    )
    parts = [_open(width, height, title, description)]
    parts += _y_axis(left, top, plot_w, plot_h, vmax, unit)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (i * step if n > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * min(v, vmax) / vmax

    for i, label in enumerate(x_labels):
        parts.append(_x_label(xy(i, 0)[0], top + plot_h + 14, str(label), n))
    for k, (first, caption) in enumerate(sections):
        if not 0 <= first < n:
            continue
        x = xy(first, 0)[0]
        if k and first:
            x = (xy(first - 1, 0)[0] + x) / 2
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#888" stroke-dasharray="2 3"/>'
            )
        parts.append(f'<text x="{x + 3:.1f}" y="{top + 10}" class="l">{escape(caption)}</text>')
    if target is not None:
        _, ty = xy(0, target)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#4f8a3c" stroke-dasharray="6 4"/>'
        )
    for k, (name, vals) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        points = [xy(i, v) for i, v in enumerate(vals) if v is not None]
        parts += _line_runs(vals, xy, color)
        for (x, y), v in zip(points, [v for v in vals if v is not None], strict=False):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"><title>{escape(name)}: {_fmt(v)}{escape(unit)}</title></circle>'
            )
        ly = height - 14
        slot = min(260, plot_w / max(len(series), 1))
        lx = left + k * slot
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 8}" width="10" height="10" fill="{color}"/>')
        parts.append(_legend_label(lx + 14, ly + 1, name, slot - 22))
    parts.append("</svg>")
    return mark_safe("".join(parts))


LEGEND_CHAR_PX = 6.4  # the average width of a 10 px DejaVu Sans letter, Cyrillic included


def _legend_label(x: float, y: float, name: str, room: float) -> str:
    """A legend label cut (with «…», the whole name as its tooltip) to the room it has, so
    labels of neighbouring series never run into each other."""
    chars = max(int(room / LEGEND_CHAR_PX), 4)
    short = name if len(name) <= chars else name[: chars - 1].rstrip() + "…"
    tip = f"<title>{escape(name)}</title>" if short != name else ""
    return f'<text x="{x:.1f}" y="{y}" class="l">{tip}{escape(short)}</text>'


def _line_runs(vals: Sequence[float | None], xy, color: str) -> list[str]:
    """Solid lines through consecutive values; across a gap (no value for a period) a thin
    dashed one, so the trend stays visible and the missing period does not pass for data."""
    parts, run, previous = [], [], None
    for i, v in enumerate([*vals, None]):
        if v is not None:
            if not run and previous is not None:
                (x1, y1), (x2, y2) = previous, xy(i, v)
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
                    'stroke-width="1.5" stroke-dasharray="4 4" opacity="0.7"/>'
                )
            run.append(xy(i, v))
            continue
        if len(run) > 1:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
        if run:
            previous = run[-1]
        run = []
    return parts


def stacked_bar(segments: Sequence[tuple[str, float, str]], *, width: int = 560, height: int = 36) -> str:
    """A single horizontal bar split into labelled shares (label, share 0..1, colour)."""
    total = sum(s for _, s, _ in segments) or 1
    description = _describe(((label, 100 * share / total) for label, share, _ in segments if share > 0), " %")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(description)}" class="opora-chart"><title>{escape(description)}</title>'
    ]
    x = 0.0
    for label, share, color in segments:
        w = width * share / total
        if w <= 0:
            continue
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{color}"><title>{escape(label)}: {_fmt(100 * share / total)} %</title></rect>'
        )
        if w > 40:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height / 2 + 4}" text-anchor="middle" fill="#fff" class="v">{_fmt(100 * share / total)} %</text>'
            )
        x += w
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _describe(pairs, unit: str = "") -> str:
    """«label — value unit, …» of a chart's data (a missing value reads «—»), cut at
    DESCRIPTION_MAX_ITEMS."""
    items = [f"{label} — {'—' if v is None else _fmt(v) + unit}" for label, v in pairs]
    if len(items) > DESCRIPTION_MAX_ITEMS:
        items = [*items[:DESCRIPTION_MAX_ITEMS], "…"]
    return ", ".join(items) or "—"


def _open(width: int, height: int, title: str, description: str) -> str:
    """The <svg> element: an image named by its title and data, with the same text as its
    <title> (a tooltip, and the name where aria-label is not read)."""
    name = f"{title}. {description}" if title else description
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(name)}" class="opora-chart" font-family="DejaVu Sans, sans-serif" font-size="11">'
        f"<title>{escape(name)}</title>"
        "<style>.v{font-size:10px;fill:#222}.l{font-size:10px;fill:#333}.t{font-size:12px;font-weight:bold;fill:#111}</style>"
    )
    if title:
        head += f'<text x="{width / 2}" y="16" text-anchor="middle" class="t">{escape(title)}</text>'
    return head


def _y_axis(left: int, top: int, plot_w: float, plot_h: float, vmax: float, unit: str) -> list[str]:
    parts = []
    step = _nice_step(vmax)
    count = vmax / step
    if abs(count - round(count)) > 1e-6:  # a given maximum that is no whole number of nice steps
        step, count = vmax / 4, 4
    for k in range(round(count) + 1):
        v = k * step
        y = top + plot_h - plot_h * v / vmax
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" class="l">{_tick(v)}{escape(unit)}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#888"/>')
    return parts


def _x_label(x: float, y: float, label: str, n: int) -> str:
    text = escape(label if len(label) <= 14 or n < 5 else label[:12] + "…")
    if n > 8:
        return (
            f'<text x="{x:.1f}" y="{y}" text-anchor="end" class="l" transform="rotate(-35 {x:.1f} {y})">{text}</text>'
        )
    return f'<text x="{x:.1f}" y="{y}" text-anchor="middle" class="l">{text}</text>'


# --- scatter --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScatterPoint:
    """One dot: its position, its name (the tooltip and the link's accessible name), where it
    links to (or nothing), its marker (``circle``, ``square``, ``triangle``) and colour, and
    whether it is ringed (a dot to look at)."""

    x: float
    y: float
    label: str
    url: str = ""
    marker: str = "circle"
    color: str = PALETTE[0]
    ring: bool = False


def _nice_range(lo: float, hi: float) -> tuple[float, float, float]:
    """An axis from ``lo`` to ``hi`` widened to whole nice steps: (start, end, step)."""
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(hi - lo, 6)
    return step * math.floor(lo / step + 1e-9), step * math.ceil(hi / step - 1e-9), step


def _marker(shape: str, x: float, y: float, color: str, r: float = 4.5) -> str:
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{color}"/>'
    if shape == "triangle":
        h = r * 1.25
        return (
            f'<polygon points="{x:.1f},{y - h:.1f} {x - h:.1f},{y + h * 0.8:.1f} {x + h:.1f},{y + h * 0.8:.1f}" '
            f'fill="{color}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{color}"/>'


def scatter_chart(
    points: Sequence[ScatterPoint],
    *,
    title: str = "",
    description: str = "",
    x_label: str = "",
    y_label: str = "",
    line: tuple[float, float] | None = None,
    line_label: str = "",
    corner: tuple[float, float] | None = None,
    corner_label: str = "",
    legend: Sequence[tuple[str, str, str]] = (),
    width: int = 560,
    height: int = 400,
    min_width: int = 0,
) -> str:
    """Dots on two numeric axes, optionally with a line y = a + b·x (``line`` = (a, b)) across
    the plot and a shaded corner: left of x ≤ ``corner[0]`` and above y ≥ ``corner[1]``.

    Accessible: the picture's title and ``description`` are its ``<title>`` and ``<desc>``
    (its name and description for a screen reader); each dot with a ``url`` is a link named
    by its label and reachable by the keyboard (an outline shows the focused one); a page
    showing the chart gives the data as a table too.  ``legend``: (marker, colour, label);
    ``min_width``: the narrowest the picture is drawn (px; a phone scrolls it sideways rather
    than shrink its dots and labels below reading size)."""
    left, right, top = 56, 14, 34 if title else 14
    bottom = 48 + (18 if legend else 0) * math.ceil(len(legend) / 3)
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [p.x for p in points] + ([corner[0]] if corner else [])
    ys = [p.y for p in points] + ([corner[1]] if corner else [])
    x0, x1, x_step = _nice_range(min(xs, default=-1), max(xs, default=1))
    y0, y1, y_step = _nice_range(min(ys, default=-1), max(ys, default=1))

    def px(x: float) -> float:
        return left + plot_w * (x - x0) / (x1 - x0)

    def py(y: float) -> float:
        return top + plot_h - plot_h * (y - y0) / (y1 - y0)

    style = f' style="min-width:{min_width}px"' if min_width else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%"{style} role="group" '
        f'aria-label="{escape(title)}" class="opora-chart opora-scatter" font-family="DejaVu Sans, sans-serif" '
        'font-size="11">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        "<style>.v{font-size:10px;fill:#222}.l{font-size:10px;fill:#333}.t{font-size:12px;font-weight:bold;fill:#111}"
        "a:focus{outline:none}a:focus .dot{stroke:#000;stroke-width:3}a:hover .dot{stroke:#000;stroke-width:1.5}</style>"
    ]
    if title:
        parts.append(f'<text x="{width / 2}" y="16" text-anchor="middle" class="t">{escape(title)}</text>')
    if corner is not None:
        cx, cy = min(max(px(corner[0]), left), left + plot_w), min(max(py(corner[1]), top), top + plot_h)
        parts.append(
            f'<rect x="{left}" y="{top}" width="{cx - left:.1f}" height="{cy - top:.1f}" fill="#e2efda"/>'
            f'<text x="{left + 4}" y="{top + 12}" class="l">{escape(corner_label)}</text>'
        )
    k = 0
    while (v := x0 + k * x_step) <= x1 + 1e-9:
        x = px(v)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" class="l">{_tick(v)}</text>')
        k += 1
    k = 0
    while (v := y0 + k * y_step) <= y1 + 1e-9:
        y = py(v)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" class="l">{_tick(v)}</text>')
        k += 1
    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>'
        f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 32}" text-anchor="middle" class="l">{escape(x_label)}</text>'
        f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" class="l" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    if line is not None:
        segment = _clip_line(line, x0, x1, y0, y1)
        if segment:
            (ax, ay), (bx, by) = segment
            parts.append(
                f'<line x1="{px(ax):.1f}" y1="{py(ay):.1f}" x2="{px(bx):.1f}" y2="{py(by):.1f}" stroke="#444" '
                'stroke-width="1.5" stroke-dasharray="6 3"/>'
            )
    for p in points:
        x, y = px(p.x), py(p.y)
        dot = _marker(p.marker, x, y, p.color).replace("/>", ' class="dot"/>', 1)
        ring = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8.5" fill="none" stroke="#6a3d9a" stroke-width="2"/>'
            if p.ring
            else ""
        )
        tip = f"<title>{escape(p.label)}</title>"
        if p.url:
            parts.append(f'<a href="{escape(p.url)}" aria-label="{escape(p.label)}">{tip}{ring}{dot}</a>')
        else:
            parts.append(f"<g>{tip}{ring}{dot}</g>")
    ly = top + plot_h + 52
    slot = (width - 28) / 3  # the legend spans the picture's width, three entries a row
    for i, (shape, color, label) in enumerate(legend):
        col, row = i % 3, i // 3
        lx = 14 + col * slot
        y = ly + row * 18
        if shape == "line":
            parts.append(
                f'<line x1="{lx:.1f}" x2="{lx + 14:.1f}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" stroke-width="1.5" '
                'stroke-dasharray="6 3"/>'
            )
        elif shape == "area":
            parts.append(f'<rect x="{lx:.1f}" y="{y - 10}" width="14" height="11" fill="{color}" stroke="#999"/>')
        elif shape == "ring":
            parts.append(
                f'<circle cx="{lx + 7:.1f}" cy="{y - 4}" r="6" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        else:
            parts.append(_marker(shape, lx + 7, y - 4, color))
        parts.append(_legend_label(lx + 20, y, label, slot - 24))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _clip_line(line: tuple[float, float], x0: float, x1: float, y0: float, y1: float):
    """The part of y = a + b·x inside the box [x0, x1] × [y0, y1], or None."""
    a, b = line
    lo, hi = x0, x1
    if abs(b) > 1e-12:
        ends = sorted(((y0 - a) / b, (y1 - a) / b))
        lo, hi = max(lo, ends[0]), min(hi, ends[1])
    elif not y0 <= a <= y1:
        return None
    if hi <= lo:
        return None
    return (lo, a + b * lo), (hi, a + b * hi)


def small_multiples(
    panels: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str],
    *,
    title: str = "",
    columns: int = 4,
    width: int = 640,
    panel_height: int = 92,
    max_value: float | None = None,
    unit: str = "",
    highlight: str = "",
) -> str:
    """A grid of small bar charts on one shared scale: one panel per item (e.g. a
    municipality), one bar per series (e.g. last year and this year) with its value, so the
    panels compare at a glance.  ``highlight`` names a panel drawn with a frame (a total)."""
    columns = max(1, min(columns, len(panels) or 1))
    rows = max(1, math.ceil(len(panels) / columns))
    top = 26 if title else 4
    height = top + rows * panel_height + 18
    values = [v for _name, vals in panels for v in vals if v is not None]
    vmax = max_value or _nice_max(max(values, default=0))
    cell_w = width / columns
    bars = max(len(series), 1)
    description = "; ".join(f"{name}: {_describe(zip(series, vals, strict=False), unit)}" for name, vals in panels)
    parts = [_open(width, height, title, description)]
    for k, (name, vals) in enumerate(panels):
        x0 = (k % columns) * cell_w
        y0 = top + (k // columns) * panel_height
        chart_top, chart_h = y0 + 16, panel_height - 36
        base = chart_top + chart_h
        if name == highlight:
            parts.append(
                f'<rect x="{x0 + 2:.1f}" y="{y0:.1f}" width="{cell_w - 4:.1f}" height="{panel_height - 4}" '
                'fill="none" stroke="#1f4e79" stroke-width="1"/>'
            )
        parts.append(
            _legend_label(x0 + 6, y0 + 11, name, cell_w - 10).replace('class="l"', 'class="l" font-weight="bold"')
        )
        slot = (cell_w - 16) / bars
        bar_w = min(slot * 0.7, 34)
        parts.append(
            f'<line x1="{x0 + 6:.1f}" x2="{x0 + cell_w - 6:.1f}" y1="{base:.1f}" y2="{base:.1f}" stroke="#888"/>'
        )
        for i, v in enumerate(vals):
            cx = x0 + 8 + i * slot + slot / 2
            color = PALETTE[0] if i == len(vals) - 1 else "#9db7d5"
            if v is None:
                parts.append(f'<text x="{cx:.1f}" y="{base - 3:.1f}" text-anchor="middle" class="v">—</text>')
                continue
            h = chart_h * min(max(v, 0), vmax) / vmax if vmax else 0
            label = escape(series[i] if i < len(series) else "")
            parts.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{escape(name)}, {label}: {_fmt(v)}{escape(unit)}</title></rect>'
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{max(base - h - 2, chart_top + 8):.1f}" text-anchor="middle" class="v">'
                f"{_fmt(v)}</text>"
            )
            parts.append(f'<text x="{cx:.1f}" y="{base + 11:.1f}" text-anchor="middle" class="l">{label}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


HEAT_BINS = ((30, "#f4b6b0"), (50, "#f9d3a5"), (70, "#fbeaa0"), (85, "#d5ebbd"), (101, "#a9d8a3"))


def heat_colour(value: float | None) -> str:
    """The cell colour of a completion 0–100 (light tints: dark text stays above 4.5:1)."""
    if value is None:
        return "#f2f2f2"
    for limit, colour in HEAT_BINS:
        if value < limit:
            return colour
    return HEAT_BINS[-1][1]


def heat_map(
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[tuple[float | None, float | None, bool]]]],
    *,
    title: str = "",
    unit: str = " %",
    compare_label: str = "МО",
    cell_w: int = 92,
    label_w: int = 300,
) -> str:
    """A table of coloured cells: one row per label, one column per ``columns``; each cell a
    (value, value to compare with, marked) — the value large, the comparison small under it,
    a marked cell (a deficit) framed in red with «!»."""
    row_h, top = 34, 40 if title else 22
    width = label_w + cell_w * max(len(columns), 1) + 8
    height = top + row_h * max(len(rows), 1) + 8
    pairs = []
    for label, cells in rows:
        for col, (value, _other, marked) in zip(columns, cells, strict=False):
            pairs.append((f"{label}, {col}{' (дефицит)' if marked else ''}", value))
    parts = [_open(width, height, title, _describe(pairs, unit))]
    for j, col in enumerate(columns):
        x = label_w + cell_w * j + cell_w / 2
        parts.append(f'<text x="{x:.1f}" y="{top - 6}" text-anchor="middle" class="l">{escape(col)}</text>')
    for i, (label, cells) in enumerate(rows):
        y = top + row_h * i
        lines = _two_lines(label, 46)
        first_y = y + row_h / 2 + 4 - 6.5 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="4" y="{first_y + 13 * k:.1f}">{escape(line)}</tspan>' for k, line in enumerate(lines)
        )
        parts.append(f'<text class="l"><title>{escape(label)}</title>{spans}</text>')
        for j, (value, other, marked) in enumerate(cells):
            x = label_w + cell_w * j
            stroke = ' stroke="#c0504d" stroke-width="2"' if marked else ' stroke="#fff"'
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{row_h - 2}" fill="{heat_colour(value)}"{stroke}/>'
            )
            if value is None:
                parts.append(f'<text x="{x + cell_w / 2:.1f}" y="{y + 21:.1f}" text-anchor="middle" class="l">—</text>')
                continue
            mark = " !" if marked else ""
            parts.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 15:.1f}" text-anchor="middle" class="v" font-weight="bold">'
                f"{_fmt1(value)}{escape(unit)}{mark}</text>"
            )
            if other is not None:
                parts.append(
                    f'<text x="{x + cell_w / 2:.1f}" y="{y + 28:.1f}" text-anchor="middle" class="l">'
                    f"{escape(compare_label)} {_fmt1(other)}</text>"
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))
