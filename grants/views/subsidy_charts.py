"""Bar charts of the subsidy figures, laid out here and drawn as inline SVG by the template.

No script and no library: rectangles and text in SVG units. Every bar carries its words in a
<title> (row, measure, amount, count), the chart a <title> and <desc>, and the table beside
each chart repeats every number for screen readers and for print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from grants.services.subsidy_reports import MEASURES, ZERO, FigureRow
from incubator.formatting import money, number
from incubator.i18n import N_, gettext

# Colours only repeat what the legend, the bar titles and the table say in words.
COLOURS = {"applied": "#8b95a3", "approved": "#0b5cad", "paid": "#1d6b35"}
MEASURE_TEXT = {"applied": N_("Applied for"), "approved": N_("Approved"), "paid": N_("Paid")}
PAD = 8
BAR = 12  # thickness of one bar
PLOT = 160  # length of the longest bar
LABEL_WIDTH = 190  # room for a row's name left of horizontal bars
LONGEST_LABEL = 14  # characters of a row's name shown in the chart (the table has it whole)


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    fill: str
    title: str


@dataclass(frozen=True)
class Text:
    x: int
    y: int
    anchor: str  # start, middle or end
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    axis: tuple[int, int, int, int]  # x1, y1, x2, y2 of the line the bars stand on
    bars: list[Bar]
    labels: list[Text]
    top: str


def measure_text(measure: str) -> str:
    return gettext(MEASURE_TEXT[measure])


def legend() -> list[tuple[str, str, str]]:
    """(measure, its name, its colour) in the order of the bars."""
    return [(m, measure_text(m), COLOURS[m]) for m in MEASURES]


def _largest(rows: Sequence[FigureRow]) -> Decimal:
    return max((r.of(m).amount for r in rows for m in MEASURES), default=ZERO)


def _length(amount: Decimal, largest: Decimal, plot: int) -> int:
    if not largest or not amount:
        return 0
    return max(1, int(plot * amount / largest))


def _words(row: FigureRow, measure: str) -> str:
    amount = row.of(measure)
    return gettext(
        "%(row)s · %(measure)s: %(amount)s (%(count)s)",
        row=row.label,
        measure=measure_text(measure),
        amount=money(amount.amount),
        count=number(amount.count),
    )


def _shortened(text: str) -> str:
    return text if len(text) <= LONGEST_LABEL else text[: LONGEST_LABEL - 1] + "…"


def _description() -> str:
    return gettext("Bars per row: applied, approved and paid. The table below gives every number.")


def column_chart(chart_id: str, title: str, rows: Sequence[FigureRow], labels: Sequence[str]) -> Chart:
    """Upright bars, one group per row under a short label (months)."""
    gap = 12
    group = BAR * len(MEASURES) + gap
    largest = _largest(rows)
    baseline = PAD + PLOT
    bars: list[Bar] = []
    texts: list[Text] = []
    for index, row in enumerate(rows):
        left = PAD + index * group
        for offset, measure in enumerate(MEASURES):
            height = _length(row.of(measure).amount, largest, PLOT)
            x = left + offset * BAR
            bars.append(Bar(x, baseline - height, BAR - 2, height, COLOURS[measure], _words(row, measure)))
        texts.append(Text(left + (group - gap) // 2, baseline + 16, "middle", labels[index]))
    width = PAD * 2 + group * max(len(rows), 1)
    axis = (0, baseline, width, baseline)
    return Chart(chart_id, title, _description(), width, baseline + 24, axis, bars, texts, money(largest))


def bar_chart(chart_id: str, title: str, rows: Sequence[FigureRow]) -> Chart:
    """Horizontal bars, one group per row beside its name (policies, bases: names are long)."""
    gap = 10
    group = BAR * len(MEASURES) + gap
    largest = _largest(rows)
    plot = 2 * PLOT
    bars: list[Bar] = []
    texts: list[Text] = []
    for index, row in enumerate(rows):
        top = PAD + index * group
        for offset, measure in enumerate(MEASURES):
            length = _length(row.of(measure).amount, largest, plot)
            bars.append(Bar(LABEL_WIDTH, top + offset * BAR, length, BAR - 2, COLOURS[measure], _words(row, measure)))
        texts.append(Text(LABEL_WIDTH - 6, top + (group - gap) // 2 + 4, "end", _shortened(row.label)))
    height = PAD * 2 + group * max(len(rows), 1)
    return Chart(
        chart_id,
        title,
        _description(),
        LABEL_WIDTH + plot + PAD,
        height,
        (LABEL_WIDTH, 0, LABEL_WIDTH, height),
        bars,
        texts,
        money(largest),
    )
