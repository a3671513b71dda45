"""What the live panels show: who is here, answer counts, the current prompt's results and themes, the answers.

Shared by the moderator console, the staff observer page and the public observer link; ``audience`` decides what a
reader may see (the moderator sees hidden answers, marked, to show them again; observers never do, and the public
observer link shows no pseudonyms). Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.consultations.models import ConsultationState
from civic.core.charts import Chart, base_layout, figure_json
from civic.core.i18n import current_locale, localized
from civic.focus_groups import live
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
)
from civic.focus_groups.results import PromptResults, prompt_results

MODERATOR = "moderator"
STAFF_OBSERVER = "staff"
PUBLIC_OBSERVER = "public"
#: Answers listed on the console (newest first); the results show the top ones anyway.
ANSWER_LIST_LIMIT = 200


@dataclass
class AnswerRow:
    id: int
    text: str
    pseudonym: str
    is_hidden: bool
    is_highlighted: bool
    agree: int
    disagree: int
    passed: int


@dataclass
class LivePanels:
    focus_group: FocusGroup
    audience: str
    present: int
    participants: int
    prompt: Prompt | None
    results: PromptResults | None
    chart: Chart | None
    answers: list[AnswerRow] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def polling(self) -> bool:
        """Refresh while something can change: the waiting room fills, or the session runs."""
        group = self.focus_group
        if group.mode == FocusGroupMode.ASYNC:
            return group.consultation.state == ConsultationState.OPEN
        return group.state == SessionState.LIVE or (
            group.state == SessionState.SCHEDULED and group.consultation.state == ConsultationState.OPEN
        )

    @property
    def themes(self) -> dict[str, Any]:
        return self.prompt.themes if self.prompt is not None and isinstance(self.prompt.themes, dict) else {}


def shown_prompt(session: Session, focus_group: FocusGroup, prompt_id: int | None = None) -> Prompt | None:
    """The prompt the panels follow: the one asked for (if it has been asked), else the current one.

    An asynchronous group has no current prompt: the panels follow its first prompt unless another is chosen.
    """
    if prompt_id is not None:
        prompt = session.get(Prompt, prompt_id)
        # Never a pending prompt: observers must not read the guide ahead of the participants.
        if prompt is not None and prompt.focus_group_id == focus_group.id and prompt.state != PromptState.PENDING:
            return prompt
    if focus_group.current_prompt is not None:
        return focus_group.current_prompt
    if focus_group.mode == FocusGroupMode.ASYNC and focus_group.prompts:
        return focus_group.prompts[0]
    return None


def _answer_rows(session: Session, prompt: Prompt) -> list[AnswerRow]:
    rows = session.execute(
        select(
            Contribution.id,
            Contribution.text,
            FocusGroupParticipant.pseudonym,
            Contribution.is_hidden,
            Contribution.is_highlighted,
            Contribution.agree_count,
            Contribution.disagree_count,
            Contribution.pass_count,
        )
        .join(FocusGroupParticipant, FocusGroupParticipant.id == Contribution.participant_id)
        .where(Contribution.prompt_id == prompt.id, Contribution.text != "")
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(ANSWER_LIST_LIMIT)
    ).all()
    return [AnswerRow(*row) for row in rows]


def results_chart(results: PromptResults) -> Chart | None:
    """A horizontal bar chart of a poll's or ranking's results (the table under it is the accessible version)."""
    locale = current_locale()
    dom_id = f"fg-chart-{results.prompt.id}"
    if results.kind in (PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE):
        labels = [localized(option.label, locale) for option in results.options]
        values = [option.count for option in results.options]
        x_title, caption = _("Answers"), _("Answers per option")
        columns = [_("Option"), _("Answers"), _("Share of answers")]
        rows = [[label, str(o.count), f"{o.percent} %"] for label, o in zip(labels, results.options, strict=True)]
        best = max(results.options, key=lambda o: o.count, default=None)
        summary = (
            _(
                "%(option)s got the most answers: %(count)d of %(total)d.",
                option=labels[best.index],
                count=best.count,
                total=results.answer_count,
            )
            if best is not None and best.count
            else _("No answers yet.")
        )
    elif results.kind == PromptKind.RANKING:
        labels = [localized(row.label, locale) for row in results.ranking]
        values = [round(row.mean_rank, 2) if row.mean_rank is not None else 0 for row in results.ranking]
        x_title, caption = _("Average rank (1 is best)"), _("Average rank per option")
        columns = [_("Option"), _("Average rank"), _("Ranked first")]
        rows = [
            [label, f"{row.mean_rank:.1f}" if row.mean_rank is not None else "–", str(row.first_place_count)]
            for label, row in zip(labels, results.ranking, strict=True)
        ]
        first = results.ranking[0] if results.ranking and results.ranking[0].mean_rank is not None else None
        summary = _("%(option)s is ranked best on average.", option=labels[0]) if first else _("No answers yet.")
    else:
        return None
    figure = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker={"color": "#2f5d8a"}))
    base_layout(figure, height=max(160, 40 * len(labels) + 60), x_title=x_title)
    figure.update_yaxes(autorange="reversed")
    if results.kind != PromptKind.RANKING:
        figure.update_xaxes(rangemode="tozero", tickformat=",d")  # counts: whole numbers only
    return Chart(
        dom_id=dom_id, figure_json=figure_json(figure), caption=caption, columns=columns, rows=rows, summary=summary
    )


def live_panels(
    session: Session, focus_group: FocusGroup, *, audience: str, prompt_id: int | None = None
) -> LivePanels:
    prompt = shown_prompt(session, focus_group, prompt_id)
    results = prompt_results(session, prompt) if prompt is not None else None
    panels = LivePanels(
        focus_group=focus_group,
        audience=audience,
        present=live.present_count(session, focus_group),
        participants=live.participant_count(session, focus_group),
        prompt=prompt,
        results=results,
        chart=results_chart(results) if results is not None and audience != PUBLIC_OBSERVER else None,
        counts=live.answer_counts(session, focus_group),
    )
    if prompt is not None and prompt.kind == PromptKind.OPEN and audience == MODERATOR:
        panels.answers = _answer_rows(session, prompt)
    return panels
