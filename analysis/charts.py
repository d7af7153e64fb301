"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, prints as it shows.

Every label is escaped; the returned markup is safe to put in a template as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6b4c9a", "#5f7a8a")
LEGEND_COLUMNS = 3
LEGEND_ROW = 18
FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif"


@dataclass
class Series:
    name: str
    values: list[float | None]
    color: str = ""
    dashed: bool = False


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def line_chart(
    *,
    labels: list[str],
    series: list[Series],
    title: str = "",
    width: int = 720,
    height: int = 280,
    y_max: float = 1.0,
    percent: bool = True,
) -> SafeString:
    """A line chart of rates (0–100 % by default). A None value leaves a gap in its line."""
    left, right, top, bottom = 48, 16, 16, 48
    # The legend sits under the x labels, LEGEND_COLUMNS entries a row.
    legend_rows = (len(series) + LEGEND_COLUMNS - 1) // LEGEND_COLUMNS
    plot_w, plot_h = width - left - right, height - top - bottom
    height += legend_rows * LEGEND_ROW
    n = max(len(labels), 1)
    step = plot_w / (n - 1) if n > 1 else 0

    def x(i: int) -> float:
        return left + (i * step if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (min(max(v, 0), y_max) / y_max) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" font-family="{FONT}" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = y_max * i / 4
        gy = y(value)
        label = _percent(value) if percent else _fmt(value)
        parts.append(
            f'<line x1="{left}" y1="{_fmt(gy)}" x2="{width - right}" y2="{_fmt(gy)}" stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{_fmt(gy + 4)}" text-anchor="end" fill="#555">{label}</text>')
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{_fmt(x(i))}" y="{top + plot_h + 16}" text-anchor="middle" fill="#555">{escape(label)}</text>'
        )
    for index, s in enumerate(series):
        color = s.color or PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        run: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_fmt(x(i))},{_fmt(y(v))}")
        if run:
            runs.append(run)
        for points in runs:
            parts.append(
                f'<polyline class="series" data-series="{escape(s.name)}" fill="none" stroke="{color}" '
                f'stroke-width="2"{dash} points="{" ".join(points)}"/>'
            )
        for i, v in enumerate(s.values):
            if v is None:
                continue
            shown = _percent(v) if percent else _fmt(v)
            parts.append(
                f'<circle cx="{_fmt(x(i))}" cy="{_fmt(y(v))}" r="3" fill="{color}">'
                f"<title>{escape(s.name)} {escape(labels[i] if i < len(labels) else '')}: {shown}</title></circle>"
            )
        lx = left + (index % LEGEND_COLUMNS) * ((width - left) // LEGEND_COLUMNS)
        ly = top + plot_h + 40 + (index // LEGEND_COLUMNS) * LEGEND_ROW
        parts.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" stroke="{color}" stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{lx + 30}" y="{ly}" fill="#333">{escape(s.name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped above


def bar_chart(
    *, items: list[tuple[str, float]], title: str = "", width: int = 360, color: str = PALETTE[0], limit: int = 12
) -> SafeString:
    """Horizontal bars with their values, largest first as given; at most `limit` rows."""
    items = items[:limit]
    label_w, value_w, row_h, top = 96, 44, 22, 8
    height = top * 2 + row_h * max(len(items), 1)
    plot_w = width - label_w - value_w
    largest = max((v for _l, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" font-family="{FONT}" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        bar = plot_w * value / largest
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="#333">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{_fmt(bar)}" height="{row_h - 8}" fill="{color}" rx="2">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
        parts.append(f'<text x="{_fmt(label_w + bar + 4)}" y="{y + 15}" fill="#333">{value:g}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped above
