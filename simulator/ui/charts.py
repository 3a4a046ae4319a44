"""Small line charts as inline SVG: whole-number turns or dated sessions on the x axis, a marker on
every point, and a single point drawn and labelled rather than an empty frame.

Gradio's native plots pick their own ticks (turn 0.2, session 1.05) and draw lines without markers,
so the two charts the app shows are drawn here. Every label is escaped; the SVG holds no scripts.
"""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 36, 44
COLOURS = ("#2563eb", "#dc2626", "#059669", "#d97706")
MAX_X_LABELS = 12


def line_chart(title: str, x_labels: list[str], series: dict[str, list[float]], *, y_max: float,
               y_unit: str = "", point_notes: list[str] | None = None,
               intervals: dict[str, list[tuple[float, float] | None]] | None = None) -> str:
    """Series of values at evenly spaced x positions, one per label; `y` runs from 0 to `y_max`.
    `point_notes` (one per x position) are shown as each marker's tooltip; `intervals` (per series, one
    (low, high) or None per point) are drawn as whiskers, e.g. a mean's 95 % interval."""
    count = len(x_labels)
    if count == 0:
        return f"<p class='chart-empty'>{escape(title)}: nothing to show yet.</p>"
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_at(i: int) -> float:
        return LEFT + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y_at(value: float) -> float:
        return TOP + plot_h * (1 - max(0.0, min(value, y_max)) / y_max)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {HEIGHT}' role='img' "
             f"aria-label='{escape(title)}' class='chart' style='max-width:{WIDTH}px;width:100%'>",
             f"<text x='{LEFT}' y='20' font-size='14' font-weight='bold'>{escape(title)}</text>"]
    for step in range(5):  # y grid: 0, 25, 50, 75, 100 % of y_max
        value = y_max * step / 4
        y = y_at(value)
        parts.append(f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>"
                     f"<text x='{LEFT - 6}' y='{y + 4:.1f}' font-size='11' text-anchor='end'>"
                     f"{value:g}{escape(y_unit)}</text>")
    every = math.ceil(count / MAX_X_LABELS)
    for i, text in enumerate(x_labels):
        if i % every == 0 or i == count - 1:
            parts.append(f"<text class='x-label' x='{x_at(i):.1f}' y='{HEIGHT - BOTTOM + 18}' font-size='11' "
                         f"text-anchor='middle'>{escape(text)}</text>")
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x_at(i), y_at(v)) for i, v in enumerate(values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2'/>")
        for i, interval in enumerate((intervals or {}).get(name, [])):
            if interval is not None:
                low, high = y_at(interval[0]), y_at(interval[1])
                x = x_at(i)
                parts.append(f"<path class='interval' d='M{x:.1f},{low:.1f}V{high:.1f}M{x - 5:.1f},{low:.1f}"
                             f"h10M{x - 5:.1f},{high:.1f}h10' stroke='{colour}' fill='none'/>")
        for i, ((x, y), value) in enumerate(zip(points, values, strict=True)):
            note = f"{name} {value:g}{y_unit} at {x_labels[i]}"
            note += f" · {point_notes[i]}" if point_notes else ""
            parts.append(f"<circle class='marker' cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{colour}'>"
                         f"<title>{escape(note)}</title></circle>")
            if count == 1:
                parts.append(f"<text x='{x + 8:.1f}' y='{y - 8:.1f}' font-size='12'>"
                             f"{escape(f'{value:g}{y_unit}')}</text>")
        parts.append(f"<rect x='{LEFT + 110 * n}' y='{HEIGHT - 14}' width='10' height='10' fill='{colour}'/>"
                     f"<text x='{LEFT + 14 + 110 * n}' y='{HEIGHT - 5}' font-size='11'>{escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)
