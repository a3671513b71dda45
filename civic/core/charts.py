"""What every Plotly chart on a staff page shares: the figure with its accessible equivalents, and the layout.

Figures are serialised into a ``data-figure`` attribute that static/js/charts.js draws with the bundled plotly.js;
``layout/_partials/chart.html`` prints the summary and a real data table, so every chart reads without JS.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio


@dataclass
class Chart:
    """A figure plus its accessible equivalents."""

    dom_id: str
    figure_json: str
    caption: str
    columns: list[str]
    rows: list[list[str]]
    summary: str
    #: About the figure (shown under it).
    note: str = ""
    #: About the table (shown with it), e.g. that it lists only the newest rows.
    table_note: str = ""


def figure_json(figure: go.Figure) -> str:
    """Serialise a figure; the template's autoescaping makes it safe inside a quoted attribute."""
    return pio.to_json(figure, validate=False)


def base_layout(figure: go.Figure, *, height: int, x_title: str = "", y_title: str = "", legend: bool = False) -> None:
    figure.update_layout(
        template="none",
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font={"family": "system-ui, sans-serif", "size": 14},
        showlegend=legend,
        xaxis={"title": {"text": x_title}, "automargin": True, "fixedrange": True},
        yaxis={"title": {"text": y_title}, "automargin": True, "fixedrange": True},
    )
