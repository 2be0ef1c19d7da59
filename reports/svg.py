"""Small SVG chart primitives: axes with linear or log scales, points, bars. Every drawn datum has class "mark"."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 360
MARGIN = {"left": 70, "right": 20, "top": 20, "bottom": 50}
PALETTE = {"strong": "#1b7837", "weak": "#d9a21b", "none": "#9e9e9e", "heavyweight": "#b2182b", "regular": "#2166ac",
           "x": "#2166ac", "blog": "#e08214", "followers": "#6a51a3", "friends": "#1b7837"}  # fmt: skip


@dataclass(frozen=True)
class Scale:
    lo: float
    hi: float
    a: float  # output range
    b: float
    log: bool = False

    def __call__(self, value: float) -> float:
        f = (lambda v: math.log10(max(v, 1e-9))) if self.log else (lambda v: v)
        lo, hi = f(self.lo), f(self.hi)
        t = 0.5 if hi == lo else (f(value) - lo) / (hi - lo)
        return self.a + t * (self.b - self.a)

    def ticks(self) -> list[float]:
        if self.log:
            first, last = (
                math.floor(math.log10(max(self.lo, 1e-9))),
                math.ceil(math.log10(max(self.hi, 1e-9))),
            )
            return [10.0**e for e in range(first, last + 1)]
        step = _nice((self.hi - self.lo) / 5 or 1)
        start = math.floor(self.lo / step) * step
        return [
            start + i * step
            for i in range(int((self.hi - start) / step) + 2)
            if start + i * step <= self.hi + 1e-9
        ]


def _nice(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def scales(xs, ys, x_log=False, y_log=False) -> tuple[Scale, Scale]:
    def span(values, log):
        values = [v for v in values if v is not None and (v > 0 or not log)]
        if not values:
            return (1, 10) if log else (0, 1)
        lo, hi = min(values), max(values)
        if log:
            return 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi)) if hi > lo else hi * 10
        return min(0, lo), hi if hi > lo else lo + 1

    x0, x1 = span(xs, x_log)
    y0, y1 = span(ys, y_log)
    return (
        Scale(x0, x1, MARGIN["left"], WIDTH - MARGIN["right"], x_log),
        Scale(y0, y1, HEIGHT - MARGIN["bottom"], MARGIN["top"], y_log),
    )


def axes(x: Scale, y: Scale, x_label: str, y_label: str, x_ticks: bool = True) -> list[str]:
    bottom, left = HEIGHT - MARGIN["bottom"], MARGIN["left"]
    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - MARGIN["right"]}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="{MARGIN["top"]}" x2="{left}" y2="{bottom}" stroke="#333"/>',
    ]
    for t in x.ticks() if x_ticks else []:
        px = x(t)
        parts.append(f'<line x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 5}" stroke="#333"/>')
        parts.append(
            f'<text x="{px:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="11">{fmt(t)}</text>'
        )
    for t in y.ticks():
        py = y(t)
        parts.append(f'<line x1="{left - 5}" y1="{py:.1f}" x2="{left}" y2="{py:.1f}" stroke="#333"/>')
        parts.append(
            f'<line x1="{left}" y1="{py:.1f}" x2="{WIDTH - MARGIN["right"]}" y2="{py:.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{py + 4:.1f}" text-anchor="end" font-size="11">{fmt(t)}</text>'
        )
    parts.append(
        f'<text x="{(left + WIDTH) / 2:.0f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="12">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="16" y="{(MARGIN["top"] + bottom) / 2:.0f}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 16 {(MARGIN["top"] + bottom) / 2:.0f})">{escape(y_label)}</text>'
    )
    return parts


def svg(parts: list[str], title: str) -> str:
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#fff"/>\n{body}\n</svg>'
    )


def scatter(
    points: list[tuple[float, float, str, str]],
    x_label: str,
    y_label: str,
    x_log=False,
    y_log=False,
    title="",
) -> str:
    """points: (x, y, colour key, tooltip)."""
    x, y = scales([p[0] for p in points], [p[1] for p in points], x_log, y_log)
    parts = axes(x, y, x_label, y_label)
    for px, py, key, tip in points:
        if (x_log and px <= 0) or (y_log and py <= 0):
            continue
        parts.append(
            f'<circle class="mark" cx="{x(px):.1f}" cy="{y(py):.1f}" r="4" fill="{PALETTE.get(key, "#444")}" '
            f'fill-opacity="0.7"><title>{escape(tip)}</title></circle>'
        )
    return svg(parts, title)


def bars(groups: list[tuple[str, list[tuple[str, float]]]], y_label: str, y_log=False, title="") -> str:
    """groups: (group label, [(series key, value), ...]); bars side by side within a group."""
    values = [v for _, series in groups for _, v in series]
    _, y = scales([0, 1], values + ([1] if y_log else [0]), False, y_log)
    if y_log:  # one decade of room under the smallest bar, so that a count of 1 still shows
        y = Scale(y.lo / 10, y.hi, y.a, y.b, True)
    parts = axes(Scale(0, 1, MARGIN["left"], WIDTH - MARGIN["right"]), y, "", y_label, x_ticks=False)
    inner = WIDTH - MARGIN["left"] - MARGIN["right"]
    slot = inner / max(len(groups), 1)
    base = y(y.lo) if y_log else y(0)
    for i, (label, series) in enumerate(groups):
        width = slot * 0.8 / max(len(series), 1)
        for j, (key, value) in enumerate(series):
            if value is None or (y_log and value <= 0):
                continue
            left = MARGIN["left"] + i * slot + slot * 0.1 + j * width
            top = y(value)
            parts.append(
                f'<rect class="mark" x="{left:.1f}" y="{min(top, base):.1f}" width="{width * 0.9:.1f}" '
                f'height="{abs(base - top):.1f}" fill="{PALETTE.get(key, "#444")}"><title>{escape(label)}: {escape(key)} {value:,.0f}</title></rect>'
            )
        parts.append(
            f'<text x="{MARGIN["left"] + (i + 0.5) * slot:.1f}" y="{HEIGHT - MARGIN["bottom"] + 18}" '
            f'text-anchor="middle" font-size="11">{escape(label)}</text>'
        )
    return svg(parts, title)


def legend(keys: list[str]) -> str:
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{PALETTE.get(k, "#444")}"></span>{escape(k)}</span>'
        for k in keys
    )
    return f'<div class="legend">{items}</div>'
