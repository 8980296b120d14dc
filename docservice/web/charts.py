"""Charts drawn on the server as inline SVG: horizontal bars and lines over time.

Hand-written (about a hundred lines) rather than a chart library: the two shapes the reports
need, with text from the page's own translations, a ``<title>``/``<desc>`` and a data table
beside every chart for screen readers, no script and no front-end build. (pygal draws more
kinds, but its tooltips need its JavaScript from a CDN, and its labels and fonts would have
to be fought to match the page.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from docservice.views import Chart, ChartSeries

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 220
LINE_HEIGHT = 220
PAD = 36
DOTS_UP_TO = 60
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c")

Label = Callable[[str], str]


def _value(value: float, unit: str) -> str:
    return f"{value * 100:.0f}%" if unit == "share" else f"{value:g}"


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def svg(chart: Chart, title: str, label: Label, chart_id: str) -> Markup:
    """The chart as an ``<svg>`` element titled ``title``; ``label`` names series and bars."""
    if chart.kind == "bar":
        body, height = _bars(chart.series[0], chart.unit, label)
    else:
        body, height = _lines(chart.series, chart.unit, label)
    summary = "; ".join(f"{label(p.label)}: {_value(p.value, chart.unit)}"
                        for s in chart.series for p in s.points[:20])
    return Markup(
        f'<svg class="chart chart-{escape(chart.kind)}" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(chart_id)}-title">'
        f'{escape(title)}</title><desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>'
        f'{body}</svg>')


def _bars(series: ChartSeries, unit: str, label: Label) -> tuple[str, int]:
    points = series.points
    top = max((p.value for p in points), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 60
    parts = []
    for n, point in enumerate(points):
        y = 6 + n * BAR_HEIGHT
        width = max(point.value / top * room, 1 if point.value else 0)
        name = label(point.label)
        parts.append(
            f'<g class="bar"><text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">'
            f'{escape(_short(name))}<title>{escape(name)}</title></text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT - 6}" fill="{COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 15}">'
            f'{escape(_value(point.value, unit))}</text></g>')
    if not points:
        parts.append(f'<text x="{WIDTH / 2}" y="20" text-anchor="middle">—</text>')
    return "".join(parts), max(len(points), 1) * BAR_HEIGHT + 12


def _lines(series: Sequence[ChartSeries], unit: str, label: Label) -> tuple[str, int]:
    count = max((len(s.points) for s in series), default=0)
    top = max((p.value for s in series for p in s.points), default=0) or 1
    if unit == "share":
        top = max(top, 0.01)
    left, bottom, right = PAD + 16, LINE_HEIGHT - PAD, WIDTH - 12

    def x(n: int) -> float:
        return left + (right - left) * (n / max(count - 1, 1))

    def y(value: float) -> float:
        return bottom - (bottom - 12) * value / top

    parts = [f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" '
             f'stroke="#888"/>',
             f'<text x="{left - 4}" y="{y(top) + 4:.1f}" text-anchor="end">'
             f'{escape(_value(top, unit))}</text>',
             f'<text x="{left - 4}" y="{bottom + 4}" text-anchor="end">0</text>']
    if count:
        first, last = series[0].points[0].label, series[0].points[-1].label
        parts.append(f'<text x="{left}" y="{bottom + 16}">{escape(first)}</text>')
        parts.append(f'<text x="{right}" y="{bottom + 16}" text-anchor="end">'
                     f'{escape(last)}</text>')
    for n, one in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(one.points))
        parts.append(f'<polyline class="series" data-series="{escape(one.name)}" '
                     f'fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        if count <= DOTS_UP_TO:  # a few points (one, even) are seen as dots
            parts += [f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="2.5" fill="{colour}">'
                      f'<title>{escape(p.label)}: {escape(_value(p.value, unit))}</title>'
                      f'</circle>' for i, p in enumerate(one.points)]
        legend_x = left + n * 150
        parts.append(f'<rect x="{legend_x}" y="{LINE_HEIGHT - 12}" width="10" height="10" '
                     f'fill="{colour}"/><text x="{legend_x + 14}" y="{LINE_HEIGHT - 3}">'
                     f'{escape(label(one.name))}</text>')
    return "".join(parts), LINE_HEIGHT
