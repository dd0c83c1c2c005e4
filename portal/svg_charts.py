"""Bar charts drawn on the server as inline SVG: no script, no external file, readable as is.

A chart is horizontal bars, one row per category (a city, a year, an event),
with one series (plain bars), several side by side (``grouped``) or stacked
(``stacked``). The markup is an ``<svg role="img">`` named by its ``<title>``
and ``<desc>`` (``aria-labelledby``); the page puts a table with the same
numbers beside it. The drawing has a fixed ``viewBox`` and scales to its
container (``width: 100%``), so it reads at 390 px as at 1280; text is in
``currentColor``, so it follows the admin's light and dark themes.

Every label is escaped here: the functions return safe markup.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import floor, log10

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 420
FONT = 14
SMALL = 12
PAD = 6
ROW = 24  # one bar (or one stack) per row
BAR = 15
GROUP_BAR = 10  # each series' bar in a grouped row
GROUP_GAP = 2
LABEL_SHARE = 0.42  # of the width, at most, for the category labels
MAX_LABEL_CHARS = 24

# Okabe and Ito's colours, told apart with every kind of colour blindness.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | Decimal]
    colour: str = BLUE


def text_width(text: str, size: float = FONT) -> float:
    """The width of ``text`` in the chart's units: a Chinese character a square, the rest
    narrower."""
    width = 0.0
    for char in text:
        if ord(char) >= 0x2E80 or char in "¥—…":
            width += 1.0
        elif char in "il.,:;'|!·":
            width += 0.3
        elif char.isupper() or char in "mw%":
            width += 0.72
        else:  # digits and lower case: a little wide rather than cut off at the edge
            width += 0.62
    return width * size


def shorten(text: str, room: float, size: float = FONT) -> str:
    """``text`` cut to fit ``room`` units, with an ellipsis."""
    text = text[:MAX_LABEL_CHARS] + "…" if len(text) > MAX_LABEL_CHARS else text
    # A label measured to fit its room exactly must not lose its last character to rounding.
    while len(text) > 1 and text_width(text, size) > room + 0.01:
        text = text[:-2] + "…"
    return text


def number(value) -> str:
    """1,234"""
    return f"{value:,}"


def nice_ticks(top: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """Round values from 0 to at least ``top`` for the gridlines (0, 50, 100, 150); with
    ``whole``, whole numbers only (no 2.5 companies)."""
    if top <= 0:
        return [0]
    raw = top / count
    magnitude = 10 ** floor(log10(raw))
    steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    if whole:
        step = max(1, round(step))
    ticks = [0.0]
    while ticks[-1] < top * (1 - 1e-9):
        ticks.append(step * len(ticks))
    return ticks


def _fmt_tick(value: float, formatter: Callable) -> str:
    if float(value).is_integer():
        value = int(value)
    return formatter(Decimal(value) if isinstance(value, float) else value)


def _attrs(**attrs) -> str:
    return " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items()
    )


def empty_chart(*, chart_id: str, title: str, message: str) -> SafeString:
    height = 40
    return mark_safe(
        f'<svg class="chart" {_attrs(id=chart_id, viewBox=f"0 0 {WIDTH} {height}")} '
        f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(message)}</desc>'
        f'<text x="{PAD}" y="{height / 2 + FONT / 3:.1f}" font-size="{FONT}" fill="currentColor" '
        f'opacity="0.7">{escape(message)}</text></svg>'
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    highlight: str | None = None,
    formatter: Callable = number,
    exact: Callable | None = None,
    empty: str = "",
    description: str = "",
) -> SafeString:
    """Horizontal bars for ``categories``; one bar per series side by side, or stacked.

    ``highlight`` is a category drawn in bold (the chosen year). A stacked row
    is labelled with its total, a plain or grouped bar with its value, as
    ``formatter`` writes it (short: ¥1.2万); each bar's tooltip and the
    description give the value as ``exact`` writes it (as in the table:
    ¥12,000.00). Without any value above zero the chart says ``empty``.
    """
    exact = exact or formatter
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    if not categories or not any(max(s.values[i] for s in series) for i in range(len(categories))):
        return empty_chart(chart_id=chart_id, title=title, message=empty or title)
    grouped = len(series) > 1 and not stacked
    top = max(totals) if stacked else max(max(s.values) for s in series)
    whole = all(isinstance(value, int) for item in series for value in item.values)
    ticks = nice_ticks(float(top), whole=whole)
    scale_top = ticks[-1] or 1

    label_room = min(
        WIDTH * LABEL_SHARE, max(text_width(shorten(c, WIDTH), FONT) for c in categories) + PAD
    )
    bar_values = totals if stacked else [v for s in series for v in s.values]
    value_room = max(text_width(formatter(v), SMALL) for v in bar_values) + PAD
    x0 = PAD + label_room
    plot = WIDTH - x0 - value_room - PAD

    parts: list[str] = []
    y = PAD
    if len(series) > 1:  # the legend, wrapping onto more lines as needed
        x = PAD
        for item in series:
            width = 14 + 4 + text_width(item.name, SMALL) + 14
            if x + width > WIDTH - PAD and x > PAD:
                x, y = PAD, y + 18
            parts.append(
                f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{item.colour}"/>'
                f'<text x="{x + 16}" y="{y + 10.5}" font-size="{SMALL}" fill="currentColor">'
                f"{escape(item.name)}</text>"
            )
            x += width
        y += 22
    row = len(series) * (GROUP_BAR + GROUP_GAP) + 8 if grouped else ROW
    plot_top = y
    plot_height = row * len(categories)
    axis_y = plot_top + plot_height

    # Gridlines with their values beneath the bars.
    for tick in ticks:
        x = x0 + plot * tick / scale_top
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{axis_y}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + SMALL + 3}" font-size="{SMALL}" '
            f'text-anchor="middle" fill="currentColor" opacity="0.7">'
            f"{escape(_fmt_tick(tick, formatter))}</text>"
        )

    for index, category in enumerate(categories):
        top_y = plot_top + index * row
        bold = ' font-weight="bold"' if highlight is not None and category == highlight else ""
        label = shorten(category, label_room - PAD)
        parts.append(
            f'<text x="{x0 - PAD}" y="{top_y + row / 2 + FONT / 3:.1f}" font-size="{FONT}" '
            f'text-anchor="end" fill="currentColor"{bold}>{escape(label)}'
            + (f"<title>{escape(category)}</title>" if label != category else "")
            + "</text>"
        )
        if grouped:
            for n, item in enumerate(series):
                value = item.values[index]
                bar_y = top_y + 4 + n * (GROUP_BAR + GROUP_GAP)
                width = plot * float(value) / scale_top
                parts.append(_bar(x0, bar_y, width, GROUP_BAR, item, category, value, exact))
                parts.append(_value(x0 + width, bar_y + GROUP_BAR / 2, value, formatter))
        else:
            bar_y = top_y + (row - BAR) / 2
            x = x0
            for item in series:
                value = item.values[index]
                width = plot * float(value) / scale_top
                parts.append(_bar(x, bar_y, width, BAR, item, category, value, exact))
                x += width
            parts.append(_value(x, bar_y + BAR / 2, totals[index], formatter))
    parts.append(
        f'<line x1="{x0}" y1="{plot_top}" x2="{x0}" y2="{axis_y}" stroke="currentColor" '
        'stroke-opacity="0.6"/>'
    )
    height = axis_y + SMALL + 3 + PAD
    description = description or _describe(categories, series, totals, exact)
    chart_id = escape(chart_id)
    return mark_safe(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="inherit">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )


def _describe(categories, series, totals, formatter) -> str:
    """The numbers in words, for a screen reader: each category's value, or each series'."""
    if len(series) == 1:
        return "；".join(
            f"{category}：{formatter(total)}"
            for category, total in zip(categories, totals, strict=True)
        )
    return "；".join(
        f"{category}：" + "，".join(f"{item.name} {formatter(item.values[i])}" for item in series)
        for i, category in enumerate(categories)
    )


def _bar(x, y, width, height, item: Series, category, value, formatter) -> str:
    if width <= 0:
        return ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{height}" '
        f'fill="{item.colour}"><title>{escape(category)} · {escape(item.name)}：'
        f"{escape(formatter(value))}</title></rect>"
    )


def _value(x, middle, value, formatter) -> str:
    return (
        f'<text x="{x + 4:.1f}" y="{middle + SMALL / 3:.1f}" font-size="{SMALL}" '
        f'fill="currentColor">{escape(formatter(value))}</text>'
    )
