"""Server-rendered SVG bar charts (no JavaScript, no CDN); each chart has a table of the same figures.

Two shapes: columns per day (one series, or several stacked, with a legend), with the value above each
column and about ten day labels; and horizontal bars for categories such as topics, whose labels stand
left of the bars and so never overlap, with the value after each bar.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
COLUMN_HEIGHT, COLUMN_TOP, COLUMN_BOTTOM, COLUMN_LEFT = 240, 24, 36, 36
ROW_HEIGHT, ROW_BAR, ROW_TOP = 28, 18, 8
#: Width of one character of an 11 px label, in viewBox units (a safe upper bound for digits).
CHAR_WIDTH = 6.6
MAX_DAY_LABELS = 10


@dataclass(frozen=True)
class Series:
    """One series of a column chart: its name (legend, table header), CSS class and values."""

    name: str
    css: str
    values: list[int]


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    value: int
    name: str
    css: str


@dataclass(frozen=True)
class Column:
    x: float
    width: float
    label: str
    total: int
    segments: list[Segment]
    show_label: bool
    show_value: bool

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return min(segment.y for segment in self.segments)


@dataclass(frozen=True)
class ColumnChart:
    title: str
    columns: list[Column]
    series: list[Series]
    maximum: int
    first_header: str
    kind: str = "columns"
    width: int = WIDTH
    height: int = COLUMN_HEIGHT
    left: int = COLUMN_LEFT
    baseline: int = COLUMN_HEIGHT - COLUMN_BOTTOM
    top: int = COLUMN_TOP

    @property
    def headers(self) -> list[str]:
        names = [series.name for series in self.series]
        return [self.first_header, *names, "Totaal"] if len(names) > 1 else [self.first_header, "Aantal"]

    @property
    def table(self) -> list[tuple[str, list[int]]]:
        """Per column: its label and values (each series, then the total when stacked)."""
        stacked = len(self.series) > 1
        return [
            (column.label, [s.value for s in column.segments] + ([column.total] if stacked else []))
            for column in self.columns
        ]


def column_chart(
    title: str, labels: list[str], series: list[Series], *, first_header: str = "Dag"
) -> ColumnChart:
    """Columns per label; several series are stacked bottom-up in the given order."""
    totals = [sum(s.values[index] for s in series) for index in range(len(labels))]
    maximum = max([*totals, 1])
    plot_height = COLUMN_HEIGHT - COLUMN_TOP - COLUMN_BOTTOM
    step = (WIDTH - COLUMN_LEFT) / max(len(labels), 1)
    every = max(1, len(labels) // MAX_DAY_LABELS)  # at most about ten labels under the columns
    # A value above every column when the widest fits in a column's step, else above the labelled ones.
    all_values_fit = len(str(maximum)) * CHAR_WIDTH <= step * 0.95
    columns = []
    for index, label in enumerate(labels):
        x = COLUMN_LEFT + index * step + step * 0.15
        bottom = float(COLUMN_TOP + plot_height)
        segments = []
        for s in series:
            height = plot_height * s.values[index] / maximum
            bottom -= height
            segments.append(Segment(y=bottom, height=height, value=s.values[index], name=s.name, css=s.css))
        show_label = index % every == 0
        columns.append(
            Column(
                x=x,
                width=step * 0.7,
                label=label,
                total=totals[index],
                segments=segments,
                show_label=show_label,
                show_value=all_values_fit or show_label,
            )
        )
    return ColumnChart(
        title=title, columns=columns, series=series, maximum=maximum, first_header=first_header
    )


@dataclass(frozen=True)
class Row:
    y: float
    width: float
    label: str
    value: int

    @property
    def middle(self) -> float:
        return self.y + ROW_BAR / 2


@dataclass(frozen=True)
class RowChart:
    title: str
    rows: list[Row]
    maximum: int
    left: float
    height: float
    first_header: str
    kind: str = "rows"
    width: int = WIDTH
    bar_height: int = ROW_BAR

    @property
    def headers(self) -> list[str]:
        return [self.first_header, "Aantal"]

    @property
    def table(self) -> list[tuple[str, list[int]]]:
        return [(row.label, [row.value]) for row in self.rows]


def row_chart(title: str, series: list[tuple[str, int]], *, first_header: str = "Onderwerp") -> RowChart:
    """One horizontal bar per label, in the given order; labels right-aligned left of the bars."""
    maximum = max([value for _, value in series] + [1])
    left = 12 + CHAR_WIDTH * max([len(label) for label, _ in series] + [1])
    value_room = 12 + CHAR_WIDTH * len(str(maximum))
    plot_width = WIDTH - left - value_room
    rows = [
        Row(y=ROW_TOP + index * ROW_HEIGHT, width=plot_width * value / maximum, label=label, value=value)
        for index, (label, value) in enumerate(series)
    ]
    return RowChart(
        title=title,
        rows=rows,
        maximum=maximum,
        left=left,
        height=ROW_TOP * 2 + ROW_HEIGHT * len(rows),
        first_header=first_header,
    )
