"""What a participant's page shows right now: the waiting room, a prompt, results, or the end.

One builder for the full page, the htmx fragment and the /live poll, so they always agree. Live groups follow
the moderator (the current prompt); asynchronous groups walk the guide in order (the next unanswered prompt, or
the one the participant went back to). Only reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation, ConsultationState
from civic.focus_groups import answering
from civic.focus_groups.models import (
    ContributionVote,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
)
from civic.focus_groups.results import PromptResults, prompt_results

# Stage kinds (templates/focus_groups/_partials/stage.html switches on them).
WAITING = "waiting"  # before the start, or live with no prompt pushed yet
PROMPT = "prompt"  # a prompt that takes answers
CLOSED = "closed"  # the current prompt closed: its results if shared, else "wait for the next question"
FINISHED = "finished"  # the session finished / the asynchronous window is over
DONE = "done"  # asynchronous: every prompt answered


@dataclass
class Stage:
    kind: str
    focus_group: FocusGroup
    consultation: Consultation
    participant: FocusGroupParticipant
    prompt: Prompt | None = None
    own: Any = None  # the participant's Contribution to ``prompt``
    values: answering.FormValues = field(default_factory=answering.FormValues)
    error: str = ""
    error_field: str = ""
    notice: str = ""
    sample: list[answering.Votable] = field(default_factory=list)
    voted_count: int = 0
    results: PromptResults | None = None
    steps: list[answering.Step] = field(default_factory=list)
    #: Asynchronous: the step shown (1-based) and its neighbours' prompt ids.
    number: int = 0
    previous_id: int | None = None
    next_id: int | None = None

    @property
    def polling(self) -> bool:
        """Live groups poll until they finish; asynchronous ones have nothing to wait for."""
        return self.focus_group.mode == FocusGroupMode.LIVE and self.kind != FINISHED

    @property
    def is_async(self) -> bool:
        return self.focus_group.mode == FocusGroupMode.ASYNC

    @property
    def answered_count(self) -> int:
        return sum(1 for step in self.steps if step.answered)

    @property
    def field_rev(self) -> str:
        """Part of the answer fields' id: it changes when the saved answer changes, so a swap shows the saved
        answer; while it stays the same htmx keeps (hx-preserve) whatever the participant is typing."""
        if self.own is None:
            return "new"
        return f"{self.own.id}-{int(self.own.updated_at.timestamp() * 1000)}"


def build_stage(
    session: Session,
    focus_group: FocusGroup,
    participant: FocusGroupParticipant,
    *,
    step_id: int | None = None,
    prompt: Prompt | None = None,
) -> Stage:
    """The stage for ``participant``; ``step_id`` picks an asynchronous prompt, ``prompt`` forces one (errors)."""
    consultation = focus_group.consultation
    stage = Stage(WAITING, focus_group, consultation, participant)
    if focus_group.mode == FocusGroupMode.ASYNC:
        return _async_stage(session, stage, step_id, prompt)
    if focus_group.state == SessionState.FINISHED or consultation.state != ConsultationState.OPEN:
        stage.kind = FINISHED
        return stage
    current = prompt or focus_group.current_prompt
    if focus_group.state != SessionState.LIVE or current is None:
        return stage
    fill_prompt(session, stage, current)
    stage.kind = PROMPT if current.state == PromptState.OPEN else CLOSED
    return stage


def _async_stage(session: Session, stage: Stage, step_id: int | None, forced: Prompt | None) -> Stage:
    stage.steps = answering.async_steps(session, stage.focus_group, stage.participant.id)
    if not stage.consultation.is_accepting_responses() or stage.focus_group.state == SessionState.FINISHED:
        stage.kind = FINISHED
        return stage
    wanted = forced.id if forced is not None else step_id
    chosen = next((s for s in stage.steps if s.prompt.id == wanted), None)
    if chosen is None:
        chosen = next((s for s in stage.steps if not s.answered), None)
    if chosen is None:
        stage.kind = DONE
        return stage
    index = stage.steps.index(chosen)
    stage.number = chosen.number
    stage.previous_id = stage.steps[index - 1].prompt.id if index > 0 else None
    stage.next_id = stage.steps[index + 1].prompt.id if index + 1 < len(stage.steps) else None
    fill_prompt(session, stage, chosen.prompt)
    stage.kind = PROMPT
    return stage


def fill_prompt(session: Session, stage: Stage, prompt: Prompt) -> None:
    stage.prompt = prompt
    stage.own = answering.own_contribution(session, prompt.id, stage.participant.id)
    stage.values = answering.values_from_contribution(prompt, stage.own)
    if prompt.results_shared_at is not None:
        stage.results = prompt_results(session, prompt)
    wants_votes = prompt.kind == PromptKind.OPEN and prompt.voting_enabled and stage.own is not None
    if wants_votes and (stage.is_async or prompt.state == PromptState.OPEN):
        stage.sample = answering.vote_sample(session, prompt, stage.participant.id)
        stage.voted_count = len(
            session.scalars(
                select(ContributionVote.id)
                .join_from(ContributionVote, answering.Contribution)
                .where(
                    answering.Contribution.prompt_id == prompt.id,
                    ContributionVote.participant_id == stage.participant.id,
                )
            ).all()
        )
