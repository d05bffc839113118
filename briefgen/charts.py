"""Charts drawn from the facts: a topic's figures over time as SVG, each point labelled with its note.

A template asks for a chart with `chart(topic)`; the chart is drawn once the briefing's notes are numbered,
so that each point carries its note's number. matplotlib draws it (the plotting library the scientific
Python world keeps; its SVG backend writes text as paths, so a chart looks the same in every viewer and
needs no font), and is imported only when a template draws a chart: `check` and chart-free builds never
load it. The bytes are deterministic: fixed ids, no date, the same font.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

FONTS = Path(__file__).parent / "fonts"
FIGURES = "\ue002"  # stands for "<briefing>-figures/" in the Markdown, until the briefing's name is known
KINDS = ("line", "bar")

# How a qualifier shows on a point: its marker, and the words before the number in its label. A figure that is
# a floor ("at least", "more than") points up, a ceiling ("up to", "less than", "nearly") points down.
MARKERS = {None: "o", "exact": "o", "about": "D", "nearly": "v", "less-than": "v", "up-to": "v",
           "at-least": "^", "more-than": "^"}
MARKER_MEANING = {"o": "as reported", "D": "about", "v": "a ceiling: up to, less than, nearly",
                  "^": "a floor: at least, more than"}
INK, ACCENT, GRID = "#1f2933", "#1d4e89", "#d9dee3"


@dataclass(frozen=True)
class Chart:
    """A chart a template asked for: its figure number, file name, title and kind, and the facts it draws."""

    number: int
    name: str
    title: str
    kind: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Point:
    """One fact on a chart: where (its date, as the fact states it), how much, and its label."""

    date: str
    sort_key: tuple
    value: float
    qualifier: str | None
    label: str  # "about 11,000 [4]"
    ident: str  # names the point in the SVG: "fact-nk-initial-contingent-11000-note-4"


def draw(chart: Chart, points: list[Point], unit: str | None, fmt: str = "svg") -> bytes:
    """The chart as SVG (or PNG) bytes: a line (or bars) through the topic's figures in date order, each labelled.
    Its text is drawn as shapes; its title and a description of every point are in its metadata."""
    description = "; ".join(f"{p.date}: {p.label}" for p in points)
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    for font in ("Inter-Regular.otf", "Inter-SemiBold.otf"):
        font_manager.fontManager.addfont(str(FONTS / font))
    style = {
        "svg.hashsalt": f"briefgen-{chart.name}",  # ids from the chart, not from chance
        "svg.fonttype": "path",
        "font.family": "Inter",
        "font.size": 8.5,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
    }
    with matplotlib.rc_context(style):
        figure = Figure(figsize=(6.3, 3.1), dpi=100)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        dates = sorted({p.date: p.sort_key for p in points}.items(), key=lambda item: item[1])
        position = {date: i for i, (date, _) in enumerate(dates)}
        xs = [position[p.date] for p in points]
        ys = [p.value for p in points]
        if chart.kind == "bar":
            # Facts of one date side by side, so that two sources' figures are both seen.
            offsets = _side_by_side(points)
            width = 0.8 / max(1, max(offsets.values(), default=0) + 1)
            for point, x in zip(points, xs, strict=True):
                axes.bar(x + (offsets[point] - (max(offsets.values()) / 2)) * width, point.value, width=width * 0.9,
                         color=ACCENT, alpha=0.85)
        else:
            line = _latest_per_date(points, position)
            axes.plot([x for x, _ in line], [y for _, y in line], color=ACCENT, linewidth=1.4, zorder=1)
        used = []
        for point, x, y in zip(points, xs, ys, strict=True):
            marker = MARKERS.get(point.qualifier, "o")
            used.append(marker)
            axes.scatter([x], [y], marker=marker, s=28, color=INK, zorder=3)
        for (point, x, y), dy in zip(zip(points, xs, ys, strict=True), _label_offsets(points), strict=True):
            label = axes.annotate(point.label, (x, y), textcoords="offset points", xytext=(0, 7 + dy), ha="center",
                                  fontsize=7.5, color=INK)
            label.set_gid(point.ident)
        axes.set_xticks(range(len(dates)), [date for date, _ in dates])
        axes.set_xlim(-0.5, len(dates) - 0.5)
        top = max(ys) if ys else 1
        axes.set_ylim(0, top * 1.3 if top > 0 else 1)
        axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        if unit:
            axes.set_ylabel(unit)
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        kinds = list(dict.fromkeys(used))
        if kinds != ["o"]:
            handles = [axes.scatter([], [], marker=m, s=28, color=INK) for m in kinds]
            axes.legend(handles, [MARKER_MEANING[m] for m in kinds], loc="upper left", frameon=False, fontsize=7)
        figure.tight_layout()
        out = io.BytesIO()
        if fmt == "png":  # for Word, which shows a PNG everywhere and an SVG only in its newest versions
            figure.savefig(out, format="png", dpi=200, metadata={"Software": None, "Title": chart.title,
                                                                 "Description": description})
        else:
            figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Title": chart.title,
                                                         "Description": description})
    return out.getvalue()


def _side_by_side(points: list[Point]) -> dict[Point, int]:
    seen: dict[str, int] = {}
    place = {}
    for point in points:
        place[point] = seen.get(point.date, 0)
        seen[point.date] = place[point] + 1
    return place


def _latest_per_date(points: list[Point], position: dict[str, int]) -> list[tuple[int, float]]:
    """The line's course: one value a date (the last given), so that disagreeing sources do not zigzag it."""
    by_date: dict[int, float] = {}
    for point in points:
        by_date[position[point.date]] = point.value
    return sorted(by_date.items())


def _label_offsets(points: list[Point]) -> list[int]:
    """Extra height for the labels of points that share a date, so that no two labels print on each other."""
    seen: dict[str, int] = {}
    offsets = []
    for point in points:
        offsets.append(11 * seen.get(point.date, 0))
        seen[point.date] = seen.get(point.date, 0) + 1
    return offsets
