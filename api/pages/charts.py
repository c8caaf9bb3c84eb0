"""Charts drawn on the server as SVG: each with a title and a description that say what it shows
(the same numbers are in a table beside it), and the values written as text, not colour only."""

from typing import Any, Final

from markupsafe import Markup, escape

from api.pages.words import outcome_label
from events import Outcome

OUTCOMES: Final = tuple(Outcome)

WIDTH: Final = 640
LABEL: Final = 250  # room for the labels left of the bars
BAR: Final = 22
GAP: Final = 10
# Dark enough against white for the bars to be seen (WCAG 1.4.11: 3:1 at least).
COLOURS: Final = {
    "pending": "#5c5c5c",
    "followed": "#1b6b2f",
    "partially_followed": "#2f6f8f",
    "not_followed": "#a3262a",
    "deferred": "#6b4a99",
    "noted": "#7a5a00",
}


def bar_chart(
    chart_id: str,
    title: str,
    rows: list[tuple[str, float, str, str]],
    scale: float,
) -> Markup:
    """Horizontal bars: (label, value, value as text, colour) per row; `scale` is the largest."""
    height = len(rows) * (BAR + GAP) + GAP
    summary = "; ".join(f"{label}: {text}" for label, _, text, _ in rows) or "Geen gegevens."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    room = WIDTH - LABEL - 70
    for index, (label, value, text, colour) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        length = 0 if scale <= 0 else max(0.0, value) / scale * room
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" '
            f'font-size="14" fill="#1a1a1a">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{LABEL + length + 6:.1f}" y="{y + BAR * 0.7:.1f}" font-size="14" '
            f'fill="#1a1a1a">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above


def _percent(value: float | None) -> str:
    return "geen" if value is None else f"{round(value * 100)}%"


def for_statistics(stats: dict[str, Any], table: list[dict[str, Any]]) -> dict[str, Markup]:
    """The charts of the statistics page: the outcomes, then per body and year the follow rate,
    the median response time and the late answers."""
    counts = stats["per_outcome"]
    outcomes = [(outcome_label(o), counts[o], str(counts[o]), COLOURS[o]) for o in OUTCOMES]
    labels = [f"{row['body_name']} {row['year']}" for row in table]
    follow = [
        (label, row["follow_rate"] or 0.0, _percent(row["follow_rate"]), "#1b6b2f")
        for label, row in zip(labels, table, strict=True)
    ]
    days = [
        (
            label,
            float(row["median_response_days"] or 0),
            "geen"
            if row["median_response_days"] is None
            else f"{row['median_response_days']} dagen",
            "#2f6f8f",
        )
        for label, row in zip(labels, table, strict=True)
    ]
    late = [
        (label, float(row["late"]), str(row["late"]), "#a3262a")
        for label, row in zip(labels, table, strict=True)
    ]
    return {
        "outcomes": bar_chart(
            "grafiek-uitkomsten",
            "Wat er met de punten is gedaan (aantal punten per uitkomst)",
            outcomes,
            max([counts[o] for o in OUTCOMES] + [1]),
        ),
        "follow": bar_chart(
            "grafiek-opvolging",
            "Opvolgingsgraad per adviesorgaan en jaar (deel van de beantwoorde punten dat "
            "(deels) is overgenomen)",
            follow,
            1.0,
        ),
        "days": bar_chart(
            "grafiek-reactietijd",
            "Mediane reactietijd in dagen per adviesorgaan en jaar",
            days,
            max([d for _, d, _, _ in days] + [1.0]),
        ),
        "late": bar_chart(
            "grafiek-te-laat",
            "Aantal punten dat te laat is beantwoord, per adviesorgaan en jaar",
            late,
            max([d for _, d, _, _ in late] + [1.0]),
        ),
    }
