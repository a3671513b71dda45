"""Plotly figure builders: each chart comes with a data table and a one-sentence summary.

Figures are serialised with plotly.io.to_json into a ``data-figure`` attribute that static/js/charts.js
draws with the bundled plotly.js. (Not a ``<script type="application/json">`` block: with
``allowScriptTags: false`` htmx strips every <script> from swapped-in panels.) The table and summary make
every chart readable without JS. Chart, figure_json and base_layout are shared with insight (civic/core/charts.py).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from civic.core.charts import Chart, base_layout, figure_json
from civic.reports.queries import Counts, QuestionResult
from civic.surveys.models import QuestionKind

#: Plotting tens of thousands of SVG points freezes browsers; the newest ones are drawn.
MAX_MAP_POINTS = 5000
MAX_POINT_ROWS = 100
BAR = "#1f42aa"
OUTLINE = "#6b6b80"


def _count_axis(figure: go.Figure, counts: list[int], axis: str = "y") -> None:
    # Whole-number ticks: "0.5 respondents" on the axis would be nonsense.
    if counts and max(counts) <= 10:
        figure.update_layout({f"{axis}axis": {"dtick": 1}})
    figure.update_layout({f"{axis}axis": {"rangemode": "tozero", "tickformat": ",d"}})


def _month(label: str) -> str:
    """Return "2020-03" as the locale's short month and year ("mars 2020")."""
    year, month = label.split("-")
    return format_date(date(int(year), int(month), 1), "MMM y")


def _num(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def _pct(value: float) -> str:
    # The locale's own pattern ("50 %" in Norwegian, "50%" in English) with one optional decimal.
    pattern = get_locale().percent_formats[None].pattern.replace("#,##0", "#,##0.#", 1)
    return format_percent(value / 100, format=pattern)


def counts_chart(survey_id: int, counts: Counts) -> Chart:
    """Build the submitted-per-day bar chart."""
    days = [format_date(day, "short") for day, _n in counts.by_day]
    values = [n for _day, n in counts.by_day]
    figure = go.Figure(go.Bar(x=days, y=values, marker_color=BAR))
    base_layout(figure, height=260, y_title=_("Responses"))
    figure.update_xaxes(type="category")
    _count_axis(figure, values)
    busiest = max(counts.by_day, key=lambda item: item[1]) if counts.by_day else None
    summary = (
        _(
            "%(n)d responses submitted; the busiest day was %(day)s with %(count)d.",
            n=counts.submitted,
            day=format_date(busiest[0], "long"),
            count=busiest[1],
        )
        if busiest
        else _("No responses submitted yet.")
    )
    return Chart(
        dom_id=f"survey-{survey_id}-by-day",
        figure_json=figure_json(figure),
        caption=_("Submitted responses per day"),
        columns=[_("Day"), _("Responses")],
        rows=[[day, str(n)] for day, n in zip(days, values, strict=True)],
        summary=summary,
    )


def question_chart(result: QuestionResult, outline: list[list[tuple[float, float]]] | None = None) -> Chart | None:
    """Build the chart that fits the question's kind; None for free text (it is listed instead)."""
    kind = QuestionKind(result.kind)
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return _choice_chart(result, multiple=kind == QuestionKind.MULTIPLE_CHOICE)
    if kind == QuestionKind.SCALE:
        return _scale_chart(result)
    if kind == QuestionKind.NUMBER:
        return _number_chart(result)
    if kind == QuestionKind.DATE:
        return _date_chart(result)
    if kind == QuestionKind.RANKING:
        return _ranking_chart(result)
    if kind == QuestionKind.MAP_POINT:
        return _map_chart(result, outline or [])
    return None


def _dom_id(result: QuestionResult) -> str:
    return f"question-{result.question.id}-chart"


def _bars(labels: list[str], values: list[float], texts: list[str], *, horizontal: bool) -> go.Figure:
    if horizontal:
        # Plotly draws the first category at the bottom; reverse so the chart reads like the table.
        trace = go.Bar(x=values[::-1], y=labels[::-1], text=texts[::-1], orientation="h", marker_color=BAR)
    else:
        trace = go.Bar(x=labels, y=values, text=texts, marker_color=BAR)
    trace.update(textposition="auto", hoverinfo="x+y" if not horizontal else "y+text")
    return go.Figure(trace)


def _choice_chart(result: QuestionResult, *, multiple: bool) -> Chart:
    rows = result.rows
    figure = _bars(
        [r["label"] for r in rows],
        [r["percent"] for r in rows],
        [_pct(r["percent"]) for r in rows],
        horizontal=True,
    )
    base_layout(figure, height=80 + 40 * len(rows), x_title=_("Share of respondents (%)"))
    top = max(rows, key=lambda r: r["count"])
    message = (
        _(
            "“%(label)s” was chosen most often, by %(share)s of %(n)d respondents (several answers allowed).",
            label=top["label"],
            share=_pct(top["percent"]),
            n=result.respondents,
        )
        if multiple
        else _(
            "“%(label)s” was chosen most often, by %(share)s of %(n)d respondents.",
            label=top["label"],
            share=_pct(top["percent"]),
            n=result.respondents,
        )
    )
    return Chart(
        dom_id=_dom_id(result),
        figure_json=figure_json(figure),
        caption=_("Answers to “%(question)s”", question=result.question_label),
        columns=[_("Answer"), _("Respondents"), _("Share of respondents")],
        rows=[[r["label"], str(r["count"]), _pct(r["percent"])] for r in rows],
        summary=message,
    )


def _distribution_table(result: QuestionResult) -> list[list[str]]:
    return [[r["label"], str(r["count"]), _pct(r["percent"])] for r in result.rows]


def _value_figure(result: QuestionResult, x_title: str) -> go.Figure:
    """Vertical bars of respondents per value (scale steps, number bins)."""
    counts = [r["count"] for r in result.rows]
    figure = _bars([r["label"] for r in result.rows], counts, [str(c) for c in counts], horizontal=False)
    base_layout(figure, height=300, x_title=x_title, y_title=_("Respondents"))
    figure.update_xaxes(type="category")
    _count_axis(figure, counts)
    return figure


def _scale_chart(result: QuestionResult) -> Chart:
    rows = result.rows
    figure = _value_figure(result, _("Rating"))
    stats = result.stats
    return Chart(
        dom_id=_dom_id(result),
        figure_json=figure_json(figure),
        caption=_("Ratings given to “%(question)s”", question=result.question_label),
        columns=[_("Rating"), _("Respondents"), _("Share of respondents")],
        rows=_distribution_table(result),
        summary=_(
            "The mean rating is %(mean)s and the median %(median)s, on a scale from %(low)s to %(high)s "
            "(%(n)d respondents).",
            mean=_num(stats["mean"]),
            median=_num(stats["median"]),
            low=rows[0]["label"],
            high=rows[-1]["label"],
            n=result.respondents,
        ),
    )


def _number_chart(result: QuestionResult) -> Chart:
    figure = _value_figure(result, _("Value"))
    stats = result.stats
    return Chart(
        dom_id=_dom_id(result),
        figure_json=figure_json(figure),
        caption=_("Numbers given to “%(question)s”", question=result.question_label),
        columns=[_("Value"), _("Respondents"), _("Share of respondents")],
        rows=_distribution_table(result),
        summary=_(
            "The mean is %(mean)s and the median %(median)s; answers range from %(low)s to %(high)s "
            "(%(n)d respondents).",
            mean=_num(stats["mean"]),
            median=_num(stats["median"]),
            low=_num(stats["min"]),
            high=_num(stats["max"]),
            n=result.respondents,
        ),
    )


def _date_chart(result: QuestionResult) -> Chart:
    rows = [{**r, "label": _month(r["label"])} for r in result.rows]
    figure = _bars(
        [r["label"] for r in rows],
        [r["count"] for r in rows],
        [str(r["count"]) for r in rows],
        horizontal=False,
    )
    base_layout(figure, height=300, x_title=_("Month"), y_title=_("Respondents"))
    figure.update_xaxes(type="category")
    _count_axis(figure, [r["count"] for r in rows])
    top = max(rows, key=lambda r: r["count"])
    return Chart(
        dom_id=_dom_id(result),
        figure_json=figure_json(figure),
        caption=_("Dates given to “%(question)s”, by month", question=result.question_label),
        columns=[_("Month"), _("Respondents")],
        rows=[[r["label"], str(r["count"])] for r in rows],
        summary=_(
            "%(n)d respondents gave a date; the most common month is %(month)s (%(count)d).",
            n=result.respondents,
            month=top["label"],
            count=top["count"],
        ),
    )


def _ranking_chart(result: QuestionResult) -> Chart:
    rows = result.rows
    figure = _bars(
        [r["label"] for r in rows],
        [r["average_rank"] or 0 for r in rows],
        [_num(r["average_rank"]) for r in rows],
        horizontal=True,
    )
    base_layout(figure, height=80 + 40 * len(rows), x_title=_("Average rank (1 = most important)"))
    best = rows[0]
    return Chart(
        dom_id=_dom_id(result),
        figure_json=figure_json(figure),
        caption=_("Ranking of “%(question)s”", question=result.question_label),
        columns=[_("Item"), _("Average rank"), _("Ranked first")],
        rows=[[r["label"], _num(r["average_rank"]), f"{_pct(r['first_percent'])} ({r['first_count']})"] for r in rows],
        summary=_(
            "“%(label)s” has the best average rank (%(rank)s); %(share)s of %(n)d respondents ranked it first.",
            label=best["label"],
            rank=_num(best["average_rank"]),
            share=_pct(best["first_percent"]),
            n=result.respondents,
        ),
    )


def add_outline(figure: go.Figure, outline: list[list[tuple[float, float]]]) -> None:
    """Draw the district's outline (lon, lat rings) under a map chart's points."""
    for ring in outline:
        figure.add_trace(
            go.Scatter(
                x=[p[0] for p in ring],
                y=[p[1] for p in ring],
                mode="lines",
                line={"color": OUTLINE, "width": 1},
                hoverinfo="skip",
            )
        )


def _map_chart(result: QuestionResult, outline: list[list[tuple[float, float]]]) -> Chart:
    figure = go.Figure()
    add_outline(figure, outline)
    drawn = result.rows[:MAX_MAP_POINTS]
    figure.add_trace(
        go.Scatter(
            x=[p["lon"] for p in drawn],
            y=[p["lat"] for p in drawn],
            mode="markers",
            marker={"color": BAR, "size": 8, "opacity": 0.6},
        )
    )
    base_layout(figure, height=420, x_title=_("Longitude"), y_title=_("Latitude"))
    # Keep degrees roughly square at Oslo's latitude so the area is not stretched.
    figure.update_yaxes(scaleanchor="x", scaleratio=2)
    note = ""
    if result.total_points > MAX_POINT_ROWS:
        note = _(
            "The table lists the newest %(shown)d of %(total)d points; the export has them all.",
            shown=MAX_POINT_ROWS,
            total=result.total_points,
        )
    return Chart(
        dom_id=_dom_id(result),
        figure_json=figure_json(figure),
        caption=_("Places marked for “%(question)s”", question=result.question_label),
        columns=[_("Latitude"), _("Longitude")],
        rows=[[f"{p['lat']:.5f}", f"{p['lon']:.5f}"] for p in result.rows[:MAX_POINT_ROWS]],
        summary=_("%(n)d respondents marked a place on the map.", n=result.respondents),
        table_note=note,
    )


def load_outline(path: Path) -> list[list[tuple[float, float]]]:
    """Read the outer rings of a GeoJSON area as (lon, lat) lists; empty if the file is missing or bad."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    geometries = []
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    for feature in features or []:
        geometry = feature.get("geometry", feature) if isinstance(feature, dict) else {}
        if geometry.get("type") == "Polygon":
            geometries.append(geometry["coordinates"])
        elif geometry.get("type") == "MultiPolygon":
            geometries.extend(geometry["coordinates"])
    return [[(float(p[0]), float(p[1])) for p in polygon[0]] for polygon in geometries if polygon]
