"""Server-rendered SVG bar charts (no JavaScript, no CDN); each chart has a table of the same figures."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 220, 16, 36, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM
    top: int = TOP


def bar_chart(title: str, series: list[tuple[str, int]]) -> BarChart:
    maximum = max([value for _, value in series] + [1])
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT) / max(len(series), 1)
    every = max(1, len(series) // 10)  # at most about ten labels under the bars
    bars = []
    for index, (label, value) in enumerate(series):
        height = plot_height * value / maximum
        bars.append(
            Bar(
                x=LEFT + index * step + step * 0.15,
                y=TOP + plot_height - height,
                width=step * 0.7,
                height=height,
                label=label,
                value=value,
                show_label=index % every == 0,
            )
        )
    return BarChart(title=title, bars=bars, maximum=maximum)
