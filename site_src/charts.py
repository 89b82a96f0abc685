"""Pay-range charts as inline SVG, drawn at build time from the same band records as the tables."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from . import figures
from .records import PayBand

WIDTH = 640
ROW = 46  # label line, bar, gap
GROUP = 24  # a group heading line
AXIS = 30
# average advance of a 13px system-font character, for keeping value labels inside the frame
CHAR = 7.0


@dataclass(frozen=True)
class Bar:
    """One band as a chart draws it."""

    label: str
    band: PayBand
    # a heading drawn above the first bar of each group (the role, on a chart of several roles)
    group: str = ""


def _step(top: int) -> int:
    """A round whole-number tick step giving about three to six ticks up to `top`.

    The step is 1, 2 or 5 times a power of ten.
    """
    raw = max(top / 6, 1)
    power = 10 ** int(math.floor(math.log10(raw)))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def pay_chart(bars: list[Bar], title: str, chart_id: str) -> Markup:
    """A horizontal range chart: one bar per band on a shared scale from zero.

    Open-ended bands run off the right edge.
    """
    if not bars:
        return Markup("")
    currency = bars[0].band.currency
    top = max(max(b.band.top for b in bars), 1)  # a scale needs room even when every figure is zero
    step = _step(top)
    # Room beyond the largest figure, so an open-ended band's arrow has somewhere to point.
    limit = (top // step + 2) * step

    def x(amount: int) -> float:
        return round(amount / limit * WIDTH, 1)

    groups = len({bar.group for bar in bars if bar.group})
    height = len(bars) * ROW + groups * GROUP + AXIS
    # Plain strings with each text escaped: Markup.format cost a fifth of a second per build at
    # 1,000 roles.
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t" focusable="false">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
    ]
    for tick in range(0, limit + 1, step):
        tx = x(tick)
        anchor = "start" if tick == 0 else "end" if tick == limit else "middle"
        parts.append(f'<line class="grid" x1="{tx}" y1="0" x2="{tx}" y2="{height - AXIS + 4}"/>')
        parts.append(
            f'<text class="tick" x="{tx}" y="{height - 10}" text-anchor="{anchor}">'
            f"{escape(figures.money(tick, currency))}</text>"
        )
    y, group = -ROW, None
    for bar in bars:
        b, y = bar.band, y + ROW
        if bar.group and bar.group != group:
            group = bar.group
            parts.append(f'<text class="group" x="0" y="{y + 17}">{escape(group)}</text>')
            y += GROUP
        text = figures.band(b)
        shown = escape(text)
        parts.append(f'<text class="label" x="0" y="{y + 15}">{escape(bar.label)}</text>')
        start, end = x(b.low), x(b.top)
        bar_y = y + 22
        if b.high is not None and b.high > b.low:
            parts.append(
                f'<rect class="bar" x="{start}" y="{bar_y}" '
                f'width="{round(end - start, 1)}" height="14" rx="3"/>'
            )
        else:
            parts.append(
                f'<rect class="bar" x="{start}" y="{bar_y}" width="4" height="14" rx="1"/>'
            )
        if b.open_ended:
            # No invented maximum: a dashed line and an arrow to the frame say "and more".
            parts.append(
                f'<line class="open" x1="{end + 2}" y1="{bar_y + 7}" '
                f'x2="{WIDTH - 8}" y2="{bar_y + 7}"/>'
            )
            parts.append(
                '<path class="arrow" '
                f'd="M{WIDTH - 9} {bar_y + 1}L{WIDTH} {bar_y + 7}L{WIDTH - 9} {bar_y + 13}Z"/>'
            )
        room_after = WIDTH - end - 8
        needed = len(text) * CHAR
        if not b.open_ended and room_after > needed:
            parts.append(f'<text class="value" x="{end + 6}" y="{bar_y + 12}">{shown}</text>')
        elif start > needed + 6:
            parts.append(
                f'<text class="value" x="{start - 6}" y="{bar_y + 12}" '
                f'text-anchor="end">{shown}</text>'
            )
        elif end - start > needed + 12:
            parts.append(
                f'<text class="value inside" x="{start + 6}" y="{bar_y + 12}">{shown}</text>'
            )
        else:  # no room beside or inside the bar: at the right end of the label line
            parts.append(
                f'<text class="value" x="{WIDTH}" y="{y + 15}" text-anchor="end">{shown}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def by_currency(bars: list[Bar]) -> list[list[Bar]]:
    """Bars split by currency, in order of first appearance: one scale must never mix currencies."""
    groups: dict[str, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(bar.band.currency, []).append(bar)
    return list(groups.values())
