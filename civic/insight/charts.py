"""Plotly figures for the insight pages, each with a data table and a one-sentence summary.

The shared parts (Chart, figure_json, base_layout, the template ``layout/_partials/chart.html``) are in
civic/core/charts.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from civic.core.charts import Chart, base_layout, figure_json

# --- topics -------------------------------------------------------------------------------------------------


def topic_trend_figure(dom_id: str, weeks: Sequence[date], series: Sequence[tuple[str, Sequence[int]]]) -> Chart:
    """Comments per week and topic: one line per topic (weeks start on Monday)."""
    labels = [format_date(week, "d. MMM y") for week in weeks]
    figure = go.Figure(
        [go.Scatter(x=labels, y=list(counts), name=name, mode="lines+markers") for name, counts in series]
    )
    base_layout(figure, height=320, x_title=_("Week starting"), y_title=_("Comments"), legend=True)
    figure.update_layout(legend={"orientation": "h", "y": -0.25}, margin={"b": 80})
    figure.update_xaxes(type="category")
    figure.update_yaxes(rangemode="tozero", tickformat=",d")
    busiest = max(
        ((name, labels[i], n) for name, counts in series for i, n in enumerate(counts)),
        key=lambda item: item[2],
        default=None,
    )
    summary = (
        _(
            "Comments per week for %(topics)d topics over %(weeks)d weeks; the most in one week was %(count)d, "
            "on %(topic)s in the week starting %(week)s.",
            topics=len(series),
            weeks=len(weeks),
            count=busiest[2],
            topic=busiest[0],
            week=busiest[1],
        )
        if busiest and busiest[2]
        else _("No comments to show over time.")
    )
    return Chart(
        dom_id=dom_id,
        figure_json=figure_json(figure),
        caption=_("Comments per week and topic"),
        columns=[_("Week starting"), *[name for name, _counts in series]],
        rows=[[label, *[str(counts[i]) for _name, counts in series]] for i, label in enumerate(labels)],
        summary=summary,
    )


def topic_heatmap_figure(
    dom_id: str,
    *,
    topics: Sequence[str],
    segments: Sequence[str],
    counts: Sequence[Sequence[int | None]],
    shares: Sequence[Sequence[float | None]] | None,
    segment_title: str,
    note: str = "",
) -> Chart:
    """Topics × segments: colour by each segment's share (or the count), hidden cells left blank.

    ``counts[i][j]`` is None where small-cell suppression hides the value; ``shares`` (of the segment's writers
    with a text in the topic) is given for surveys, where segments differ in size.
    """
    values = shares if shares is not None else counts
    hidden = _("hidden")
    texts = [
        [hidden if n is None else _cell(n, shares[i][j] if shares is not None else None) for j, n in enumerate(row)]
        for i, row in enumerate(counts)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=[[None if v is None else float(v) for v in row] for row in values],
            x=list(segments),
            y=list(topics),
            text=texts,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
            colorscale="Blues",
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    base_layout(figure, height=max(220, 40 * len(topics) + 120), x_title=segment_title)
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category", side="top")
    strongest = max(
        ((topics[i], segments[j], v) for i, row in enumerate(values) for j, v in enumerate(row) if v is not None),
        key=lambda item: item[2],
        default=None,
    )
    summary = (
        _(
            "%(topics)d topics across %(segments)d groups; the strongest cell is %(topic)s in %(segment)s.",
            topics=len(topics),
            segments=len(segments),
            topic=strongest[0],
            segment=strongest[1],
        )
        if strongest and strongest[2]
        else _("Too few comments to break the topics down.")
    )
    return Chart(
        dom_id=dom_id,
        figure_json=figure_json(figure),
        caption=_("Topics by %(segment)s", segment=segment_title.lower()),
        columns=[_("Topic"), *segments],
        rows=[[topic, *row] for topic, row in zip(topics, texts, strict=True)],
        summary=summary,
        note=note,
    )


def _cell(count: int, share: float | None) -> str:
    if share is None:
        return str(count)
    return f"{count} ({format_percent(share, format='#,##0%')})"


# --- opinion groups -------------------------------------------------------------------------------------------

#: Okabe–Ito colours (distinguishable with colour-vision deficiencies), with a marker shape per group as well.
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
GROUP_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
UNGROUPED_COLOUR = "#9a9a9a"


def group_map_figure(
    dom_id: str,
    points: Sequence[tuple[float, float, str | None]],
    comment_points: Sequence[tuple[float, float, int]] = (),
) -> Chart:
    """Participants in the plane of the vote matrix's first two principal components, coloured by opinion group.

    ``points``: (x, y, group letter or None for participants not grouped); ``comment_points``: (x, y, comment id),
    drawn as small labelled markers when the planner asks for them.
    """
    letters = sorted({g for _x, _y, g in points if g is not None})
    figure = go.Figure()
    rows: list[list[str]] = []
    for n, group in enumerate(letters):
        xs = [round(x, 4) for x, _y, g in points if g == group]
        ys = [round(y, 4) for _x, y, g in points if g == group]
        name = _("Group %(letter)s", letter=group)
        figure.add_trace(
            _scatter(
                len(points),
                x=xs,
                y=ys,
                mode="markers",
                name=f"{name} ({len(xs)})",
                marker={
                    "color": GROUP_COLOURS[n % len(GROUP_COLOURS)],
                    "symbol": GROUP_SYMBOLS[n % len(GROUP_SYMBOLS)],
                    "size": 8,
                    "opacity": 0.75,
                },
                hovertemplate=f"{name}<extra></extra>",
            )
        )
        rows.append([name, str(len(xs)), _number(_mean(xs)), _number(_mean(ys))])
    ungrouped = [(x, y) for x, y, g in points if g is None]
    if ungrouped:
        label = _("Not in a group")
        figure.add_trace(
            _scatter(
                len(points),
                x=[round(x, 4) for x, _y in ungrouped],
                y=[round(y, 4) for _x, y in ungrouped],
                mode="markers",
                name=f"{label} ({len(ungrouped)})",
                marker={"color": UNGROUPED_COLOUR, "symbol": "circle-open", "size": 7},
                hovertemplate=f"{label}<extra></extra>",
            )
        )
        rows.append(
            [
                label,
                str(len(ungrouped)),
                _number(_mean([x for x, _ in ungrouped])),
                _number(_mean([y for _, y in ungrouped])),
            ]
        )
    if comment_points:
        comment = _("Comment")
        figure.add_trace(
            go.Scatter(
                x=[round(x, 4) for x, _y, _c in comment_points],
                y=[round(y, 4) for _x, y, _c in comment_points],
                mode="markers+text",
                name=_("Comments"),
                text=[f"#{c}" for _x, _y, c in comment_points],
                textposition="top center",
                textfont={"size": 11, "color": "#444"},
                marker={"color": "#444", "symbol": "x-thin-open", "size": 9},
                hovertemplate=f"{comment} %{{text}}<extra></extra>",
            )
        )
        rows.extend([f"{comment} #{c}", "", _number(x), _number(y)] for x, y, c in comment_points)
    base_layout(figure, height=460, legend=True)
    figure.update_layout(legend={"orientation": "h", "y": -0.12}, margin={"b": 70})
    figure.update_xaxes(showticklabels=False, zeroline=True, zerolinecolor="#ddd", showgrid=False)
    figure.update_yaxes(showticklabels=False, zeroline=True, zerolinecolor="#ddd", showgrid=False, scaleanchor="x")
    sizes = ", ".join(
        _("group %(letter)s: %(count)d", letter=group, count=sum(1 for *_xy, g in points if g == group))
        for group in letters
    )
    if letters:
        summary = _(
            "%(participants)d participants; those who voted alike are close together. "
            "%(groups)d opinion groups (%(sizes)s).",
            participants=len(points),
            groups=len(letters),
            sizes=sizes,
        )
    else:
        summary = _("%(participants)d participants, no opinion groups.", participants=len(points))
    if ungrouped:
        summary += " " + _(
            "%(count)d participants have voted on too few comments to be placed in a group.", count=len(ungrouped)
        )
    return Chart(
        dom_id=dom_id,
        figure_json=figure_json(figure),
        caption=_("Opinion groups: participants and the centre of each group on the map"),
        columns=[_("Group"), _("Participants"), _("Centre, across"), _("Centre, up")],
        rows=rows,
        summary=summary,
        note=_("The axes have no units: they are the two directions in which the votes differ most."),
    )


def _scatter(total_points: int, **kwargs: object) -> go.Scatter | go.Scattergl:
    # WebGL keeps a map of thousands of participants responsive; small maps stay SVG (sharper, printable).
    return go.Scattergl(**kwargs) if total_points > 2000 else go.Scatter(**kwargs)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _number(value: float | None) -> str:
    return "–" if value is None else format_decimal(round(value, 2), format="0.00")
