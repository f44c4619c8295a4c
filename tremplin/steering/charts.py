"""Server-rendered SVG charts for the steering page and the PDF report.

Horizontal bars with the value written at the end of each bar and the label on its left:
readable without colour and printable. Only SVG attributes (no style attribute: the Content
Security Policy forbids inline styles). Each chart carries a <title> and a <desc> that says
every value in words, and the page shows the same numbers in a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import labels

_ids = count(1)

BAR_COLOUR = "#1f4e79"
PREVIOUS_COLOUR = "#8fa9c4"
INK = "#1b1f24"
LINE = "#c9ced6"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


def bar_chart(title: str, items: list[tuple[str, float | None]], kind: str = labels.COUNT, maximum=None) -> str:
    """An accessible horizontal bar chart as an SVG string (marked safe)."""
    chart_id = f"chart-{next(_ids)}"
    label_width, bar_width, row_height, value_width = 270, 290, 26, 90
    width = label_width + bar_width + value_width
    height = row_height * len(items) + 10
    values = [value or 0 for _label, value in items]
    top = maximum if maximum is not None else max(values + [0])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(describe(items, kind))}</desc>',
        f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height - 5}" stroke="{INK}" stroke-width="1"/>',
    ]
    for index, (label, value) in enumerate(items):
        y = 5 + index * row_height
        length = 0 if not top or not value else max(1, round(bar_width * value / top))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="{INK}" '
            f'font-family="sans-serif">{escape(_short(label))}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row_height - 8}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6}" y="{y + 17}" font-size="13" fill="{INK}" '
            f'font-family="sans-serif">{escape(labels.display(value, kind))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def describe(items, kind) -> str:
    return "; ".join(f"{label}: {labels.display(value, kind)}" for label, value in items) + "."


def _bucket_items(figures: dict, family: str, group: str, names: dict) -> list[tuple[str, float]]:
    values = figures[family][group] if group else figures[family]
    return [(str(names.get(key, key)), value) for key, value in values.items()]


def report_charts(figures: dict) -> list[Chart]:
    """The charts of the quarterly report: intensity, exits by reason, employment and
    retention, profile of the persons."""
    intensity_names = labels.BUCKET_FAMILIES["activity.intensity"][1]
    exit_names = labels.BUCKET_FAMILIES["activity.exits.by_reason"][1]
    disability_names = labels.BUCKET_FAMILIES["profile.disability"][1]
    mww_names = labels.BUCKET_FAMILIES["profile.months_without_work"][1]
    activity, employment = figures["activity"], figures["employment"]
    retention = employment["retention"]
    charts = [
        Chart(
            "intensity",
            _("Intensity of support (persons)"),
            bar_chart(
                _("Intensity of support (persons)"), _bucket_items(figures, "activity", "intensity", intensity_names)
            ),
        ),
        Chart(
            "exits",
            _("Exits by reason"),
            bar_chart(_("Exits by reason"), _bucket_items({"a": activity["exits"]}, "a", "by_reason", exit_names)),
        ),
        Chart(
            "employment",
            _("Employment"),
            bar_chart(
                _("Employment"),
                [
                    (_("persons in employment"), employment["persons_employed"]),
                    (_("contracts started"), employment["contracts"]["started"]),
                    (_("contracts started before"), employment["contracts"]["ongoing"]),
                    (_("job breaks"), employment["job_breaks"]),
                    (_("placements"), employment["placements"]),
                ],
            ),
        ),
        Chart(
            "retention",
            _("Retention in employment"),
            bar_chart(
                _("Retention in employment"),
                [
                    (_("%(n)s months (%(retained)s of %(cohort)s)") % {"n": n, **retention[n]}, retention[n]["rate"])
                    for n in ("6", "12", "24")
                ],
                kind=labels.RATE,
                maximum=1,
            ),
        ),
        Chart(
            "disability",
            _("Main disability"),
            bar_chart(_("Main disability"), _bucket_items(figures, "profile", "disability", disability_names)),
        ),
        Chart(
            "months_without_work",
            _("Months without work at entry"),
            bar_chart(
                _("Months without work at entry"),
                _bucket_items(figures, "profile", "months_without_work", mww_names),
            ),
        ),
    ]
    return charts
