"""Plotly figures of a public report, built from its snapshot at render time (no query, no aggregation).

Each chart is a :class:`civic.core.charts.Chart`: the figure, a one-sentence summary (``summaries``) and a data
table with every number the figure shows. A hidden number (``None``) is never drawn as a bar: its label says
"hidden", and so does its table cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from flask_babel import gettext as _

from civic.core.charts import Chart, base_layout, figure_json
from civic.core.i18n import localized
from civic.reports import summaries as words
from civic.reports.charts import BAR, add_outline
from civic.reports.models import Section
from civic.reports.summaries import dimension_label, hidden, num, pct, segment_label

#: Second series (population, other segments): dark enough against white, distinct from BAR in greyscale print.
SECOND = "#8a5a00"
SERIES = ("#1f42aa", "#8a5a00", "#1d6b36", "#7a1f5c", "#3c3c46", "#005f73", "#9b2226", "#5a4fcf")
#: Above the plot: below it, a legend collides with the axis title on a phone.
TOP_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
CHOICE_KINDS = ("single_choice", "multiple_choice")


def _labels(items: Sequence[Mapping[str, Any]], lang: str) -> list[str]:
    return [localized(item.get("label"), lang) or str(item.get("key", "")) for item in items]


def _axis_label(label: str, value: Any) -> str:
    """Put "hidden" into a category's name when its bar cannot be drawn, so the chart says why it is missing."""
    return f"{label} ({hidden()})" if value is None else label


def _percent(shares: Sequence[float | None]) -> list[float | None]:
    return [None if s is None else round(s * 100, 1) for s in shares]


def _count_cell(count: int | None, share: float | None = None) -> str:
    if count is None:
        return hidden()
    return f"{num(count)} ({pct(share)})" if share is not None else num(count)


def _hbars(labels: list[str], values: list[float | None], texts: list[str], color: str = BAR) -> go.Bar:
    # Plotly draws the first category at the bottom; reverse so the chart reads in the table's order.
    return go.Bar(
        x=values[::-1],
        y=labels[::-1],
        text=texts[::-1],
        orientation="h",
        marker_color=color,
        textposition="auto",
        hoverinfo="y+text",
    )


def question_chart(question: Mapping[str, Any], lang: str, outline: list | None = None) -> Chart | None:
    """Return the chart that fits the question's kind; None for free text (topics cover it)."""
    kind = question.get("kind")
    if question.get("suppressed"):
        return None
    if kind in CHOICE_KINDS and question.get("options"):
        return _choice_chart(question, lang, multiple=kind == "multiple_choice")
    if kind == "scale" and question.get("options"):
        return _scale_chart(question, lang)
    if kind == "ranking" and question.get("ranking"):
        return _ranking_chart(question, lang)
    if kind in ("number", "date") and question.get("histogram"):
        return _histogram_chart(question, lang)
    if kind == "map_point" and question.get("map"):
        return _map_chart(question, lang, outline or [])
    return None


def _title(question: Mapping[str, Any], lang: str) -> str:
    return localized(question.get("title"), lang)


def _choice_chart(question: Mapping[str, Any], lang: str, *, multiple: bool) -> Chart:
    options = question["options"]
    labels = _labels(options, lang)
    shares = [o.get("share") for o in options]
    figure = go.Figure(
        _hbars(
            [_axis_label(label, s) for label, s in zip(labels, shares, strict=True)],
            [None if s is None else round(s * 100, 1) for s in shares],
            [pct(s) for s in shares],
        )
    )
    base_layout(figure, height=90 + 42 * len(options), x_title=_("Share of respondents (%)"))
    figure.update_xaxes(rangemode="tozero")
    figure.update_yaxes(type="category")  # answers such as "1" or "2024" are names, not positions
    return Chart(
        dom_id=f"report-q{question['id']}",
        figure_json=figure_json(figure),
        caption=_("Answers to “%(question)s”", question=_title(question, lang)),
        columns=[_("Answer"), _("Respondents"), _("Share of respondents")],
        rows=[[label, num(o.get("count")), pct(o.get("share"))] for label, o in zip(labels, options, strict=True)],
        summary=words.choice_summary(options, labels, multiple=multiple),
    )


def _columns(labels: list[str], counts: list[Any]) -> go.Figure:
    """Vertical bars of counts, hidden ones marked on their axis label."""
    return go.Figure(
        go.Bar(
            x=[_axis_label(label, c) for label, c in zip(labels, counts, strict=True)],
            y=counts,
            text=[num(c) for c in counts],
            marker_color=BAR,
            textposition="auto",
        )
    )


def _scale_chart(question: Mapping[str, Any], lang: str) -> Chart:
    options = question["options"]
    labels = _labels(options, lang)
    counts = [o.get("count") for o in options]
    figure = _columns(labels, counts)
    base_layout(figure, height=300, x_title=_("Rating"), y_title=_("Respondents"))
    figure.update_xaxes(type="category")
    figure.update_yaxes(rangemode="tozero", tickformat=",d")
    return Chart(
        dom_id=f"report-q{question['id']}",
        figure_json=figure_json(figure),
        caption=_("Ratings given to “%(question)s”", question=_title(question, lang)),
        columns=[_("Rating"), _("Respondents"), _("Share of respondents")],
        rows=[[label, num(o.get("count")), pct(o.get("share"))] for label, o in zip(labels, options, strict=True)],
        summary=words.scale_summary(question.get("stats"), labels[0], labels[-1], question.get("respondents") or 0),
    )


def _histogram_chart(question: Mapping[str, Any], lang: str) -> Chart:
    bins = question["histogram"]
    labels = [str(b.get("label", "")) for b in bins]
    counts = [b.get("count") for b in bins]
    figure = _columns(labels, counts)
    base_layout(
        figure, height=300, x_title=_("Value") if question.get("kind") == "number" else "", y_title=_("Respondents")
    )
    figure.update_xaxes(type="category")
    figure.update_yaxes(rangemode="tozero", tickformat=",d")
    respondents = question.get("respondents") or 0
    summary = (
        words.number_summary(question.get("stats"), respondents)
        if question.get("kind") == "number" and question.get("stats")
        else words.histogram_summary(bins, respondents)
    )
    return Chart(
        dom_id=f"report-q{question['id']}",
        figure_json=figure_json(figure),
        caption=_("Answers to “%(question)s”", question=_title(question, lang)),
        columns=[_("Value"), _("Respondents")],
        rows=[[label, num(c)] for label, c in zip(labels, counts, strict=True)],
        summary=summary,
    )


def _ranking_chart(question: Mapping[str, Any], lang: str) -> Chart:
    items = question["ranking"]
    labels = _labels(items, lang)
    ranks = [i.get("mean_rank") for i in items]
    figure = go.Figure(_hbars(labels, ranks, [num(r) for r in ranks]))
    base_layout(figure, height=90 + 42 * len(items), x_title=_("Average rank"))
    figure.update_yaxes(type="category")
    best = min(range(len(items)), key=lambda i: ranks[i] if ranks[i] is not None else float("inf"))
    return Chart(
        dom_id=f"report-q{question['id']}",
        figure_json=figure_json(figure),
        caption=_("Ranking of “%(question)s”", question=_title(question, lang)),
        columns=[_("Item"), _("Average rank (1 = most important)"), _("Ranked first")],
        rows=[[label, num(i.get("mean_rank")), num(i.get("first"))] for label, i in zip(labels, items, strict=True)],
        summary=words.ranking_summary(
            labels[best], ranks[best], items[best].get("first"), question.get("respondents") or 0
        ),
    )


def _map_chart(question: Mapping[str, Any], lang: str, outline: list) -> Chart:
    cells = question["map"].get("cells") or []
    figure = go.Figure()
    add_outline(figure, outline)
    largest = max((c["count"] for c in cells), default=1) or 1
    figure.add_trace(
        go.Scatter(
            x=[c["lon"] for c in cells],
            y=[c["lat"] for c in cells],
            mode="markers",
            text=[num(c["count"]) for c in cells],
            hoverinfo="text",
            marker={"color": BAR, "opacity": 0.6, "size": [8 + 22 * (c["count"] / largest) ** 0.5 for c in cells]},
        )
    )
    base_layout(figure, height=420, x_title=_("Longitude"), y_title=_("Latitude"))
    figure.update_yaxes(scaleanchor="x", scaleratio=2)  # degrees roughly square at Oslo's latitude
    return Chart(
        dom_id=f"report-q{question['id']}",
        figure_json=figure_json(figure),
        caption=_("Places marked for “%(question)s”", question=_title(question, lang)),
        columns=[_("Latitude"), _("Longitude"), _("Places")],
        rows=[[f"{c['lat']:.3f}", f"{c['lon']:.3f}", num(c["count"])] for c in cells],
        summary=words.map_summary(question["map"].get("points") or 0),
    )


def breakdown_chart(question: Mapping[str, Any], lang: str) -> Chart | None:
    """Return the answers per segment, or None without a breakdown.

    One answer per person (single choice, scale): a 100 % bar per segment, split by answer, which reads well even
    with many segments. Several answers per person: the shares do not add up, so bars are grouped by answer.
    """
    breakdown = question.get("breakdown")
    if question.get("suppressed") or not breakdown or not breakdown.get("segments") or not breakdown.get("rows"):
        return None
    dimension = breakdown["dimension"]
    segments = [segment_label(dimension, s) for s in breakdown["segments"]]
    labels_by_key = {str(o.get("key")): localized(o.get("label"), lang) for o in question.get("options") or []}
    labels_by_key.update({str(o.get("key")): localized(o.get("label"), lang) for o in question.get("ranking") or []})
    rows = breakdown["rows"]
    answers = [labels_by_key.get(str(r["key"]), str(r["key"])) for r in rows]
    sizes = breakdown.get("sizes") or [None] * len(segments)
    if question.get("kind") in ("single_choice", "scale"):
        figure = _stacked_by_segment(segments, sizes, answers, rows)
    else:
        figure = _grouped_by_answer(segments, answers, rows)
    winners = []
    for index, segment in enumerate(segments):
        visible = [(answers[i], r["shares"][index]) for i, r in enumerate(rows) if r["shares"][index] is not None]
        best = max(visible, key=lambda item: item[1]) if visible else (None, None)
        winners.append((segment, best[0], best[1]))
    table = [[_("Respondents in the group"), *[num(size) for size in sizes]]]
    table += [
        [answer, *[_count_cell(c, s) for c, s in zip(r["counts"], r["shares"], strict=True)]]
        for answer, r in zip(answers, rows, strict=True)
    ]
    return Chart(
        dom_id=f"report-q{question['id']}-breakdown",
        figure_json=figure_json(figure),
        caption=_(
            "Answers to “%(question)s” by %(dimension)s",
            question=_title(question, lang),
            dimension=dimension_label(dimension).lower(),
        ),
        columns=[_("Answer"), *segments],
        rows=table,
        summary=words.breakdown_summary(dimension, winners),
        table_note=_("Each cell: respondents in the group who chose the answer, and their share of the group."),
    )


def _stacked_by_segment(segments: list[str], sizes: list, answers: list[str], rows: list) -> go.Figure:
    # A segment whose size is hidden gets "(hidden)" in its name, as its bar may be incomplete or empty.
    names = [_axis_label(segment, size) for segment, size in zip(segments, sizes, strict=True)]
    figure = go.Figure()
    for index, (answer, row) in enumerate(zip(answers, rows, strict=True)):
        shares = _percent(row["shares"])
        figure.add_trace(
            go.Bar(
                name=answer,
                x=shares[::-1],
                y=names[::-1],
                orientation="h",
                marker_color=SERIES[index % len(SERIES)],
                text=[f"{round(s)}" if s is not None and s >= 8 else "" for s in shares][::-1],
                textposition="inside",
                insidetextanchor="middle",
            )
        )
    base_layout(figure, height=120 + 40 * len(segments), x_title=_("Share of respondents (%)"), legend=True)
    figure.update_layout(barmode="stack", legend=TOP_LEGEND | {"traceorder": "normal"}, margin={"t": 60})
    figure.update_xaxes(range=[0, 100])
    figure.update_yaxes(type="category")
    return figure


def _grouped_by_answer(segments: list[str], answers: list[str], rows: list) -> go.Figure:
    figure = go.Figure()
    for index, segment in enumerate(segments):
        figure.add_trace(
            go.Bar(
                name=segment,
                x=_percent([r["shares"][index] for r in rows])[::-1],
                y=answers[::-1],
                orientation="h",
                marker_color=SERIES[index % len(SERIES)],
            )
        )
    base_layout(
        figure, height=130 + 22 * len(rows) * max(len(segments), 1), x_title=_("Share of respondents (%)"), legend=True
    )
    figure.update_layout(barmode="group", legend=TOP_LEGEND | {"traceorder": "normal"}, margin={"t": 60})
    figure.update_yaxes(type="category")
    return figure


def weeks_chart(weeks: Sequence[Mapping[str, Any]]) -> Chart | None:
    if not weeks:
        return None
    labels = [words.day(w["week"], "medium") for w in weeks]
    counts = [w.get("respondents") for w in weeks]
    figure = go.Figure(
        go.Bar(
            x=[_axis_label(label, c) for label, c in zip(labels, counts, strict=True)],
            y=counts,
            marker_color=BAR,
        )
    )
    base_layout(figure, height=260, y_title=_("Respondents"))
    figure.update_xaxes(type="category")
    figure.update_yaxes(rangemode="tozero", tickformat=",d")
    return Chart(
        dom_id="report-weeks",
        figure_json=figure_json(figure),
        caption=_("Respondents per week"),
        columns=[_("Week starting"), _("Respondents")],
        rows=[[label, num(c)] for label, c in zip(labels, counts, strict=True)],
        summary=words.weeks_summary(weeks),
    )


def segment_chart(segment: Mapping[str, Any]) -> Chart:
    """Compare each group's share of the respondents with its share of the population; flag it in words."""
    dimension = segment["dimension"]
    rows = segment["rows"]
    labels = [segment_label(dimension, r["segment"]) for r in rows]
    marked = [
        _axis_label(
            f"{label} – {_('under-represented')}" if r.get("under_represented") else label, r.get("respondent_share")
        )
        for label, r in zip(labels, rows, strict=True)
    ]
    with_population = bool(segment.get("population_source"))
    respondent = [r.get("respondent_share") for r in rows]
    population = [r.get("population_share") for r in rows]
    figure = go.Figure()
    if segment.get("population_source"):
        figure.add_trace(
            go.Bar(
                name=_("Share of the population"),
                x=_percent(population)[::-1],
                y=marked[::-1],
                orientation="h",
                marker_color=SECOND,
                marker_pattern_shape="/",
            )
        )
    figure.add_trace(
        go.Bar(
            name=_("Share of respondents"),
            x=_percent(respondent)[::-1],
            y=marked[::-1],
            orientation="h",
            marker_color=BAR,
        )
    )
    base_layout(
        figure, height=(110 if with_population else 70) + 44 * len(rows), x_title=_("Share (%)"), legend=with_population
    )
    if with_population:
        figure.update_layout(barmode="group", legend=TOP_LEGEND | {"traceorder": "reversed"}, margin={"t": 40})
    figure.update_yaxes(type="category")
    columns = [dimension_label(dimension), _("Respondents"), _("Share of respondents")]
    if segment.get("population_source"):
        columns += [_("Population"), _("Share of the population"), _("Represented")]
    table = []
    for label, r in zip(labels, rows, strict=True):
        cells = [label, num(r.get("respondents")), pct(r.get("respondent_share"))]
        if segment.get("population_source"):
            state = _("under-represented") if r.get("under_represented") else ""
            ratio = r.get("representation")
            represented = f"{num(round(ratio, 2))} {state}".strip() if ratio is not None else hidden()
            cells += [num(r.get("population")), pct(r.get("population_share")), represented]
        table.append(cells)
    return Chart(
        dom_id=f"report-segments-{dimension}",
        figure_json=figure_json(figure),
        caption=_("Respondents by %(dimension)s", dimension=dimension_label(dimension).lower()),
        columns=columns,
        rows=table,
        summary=words.representation_summary(segment),
        table_note=_(
            "Represented: a group's share of the respondents divided by its share of the population (1 = as "
            "many as expected). Below 0.8 the group is marked as under-represented."
        )
        if segment.get("population_source")
        else "",
    )


def topics_chart(topics: Sequence[Mapping[str, Any]]) -> Chart | None:
    if not topics:
        return None
    labels = [str(t["label"]) for t in topics]
    shares = [t.get("share") for t in topics]
    figure = go.Figure(
        _hbars(labels, [None if s is None else round(s * 100, 1) for s in shares], [pct(s) for s in shares])
    )
    base_layout(figure, height=90 + 42 * len(topics), x_title=_("Share of the written answers (%)"))
    figure.update_yaxes(type="category")
    return Chart(
        dom_id="report-topics",
        figure_json=figure_json(figure),
        caption=_("Topics in the written answers"),
        columns=[_("Topic"), _("Written answers"), _("Share of the written answers")],
        rows=[[label, num(t.get("size")), pct(t.get("share"))] for label, t in zip(labels, topics, strict=True)],
        summary=words.topics_summary(topics),
    )


def footnote(chart: Chart | None) -> Chart | None:
    """Explain "hidden" under a chart whose table hides a number (the table may be folded away)."""
    if chart is not None and any(cell == hidden() for row in chart.rows for cell in row):
        chart.note = _(
            "“%(hidden)s”: fewer than 5 people, or a number hidden so that such a small one cannot be worked out "
            "from the totals (see “%(section)s”).",
            hidden=hidden(),
            section=words.section_label(Section.HONESTY),
        )
    return chart
