"""Demo analysis: queue topic and opinion-group runs for the demo hearing, topics for the parking survey and for the
finished focus group's open answers.

The runs are queued, not computed here: the demo's worker (started right after seeding) embeds the texts and
runs them, so a visitor sees the progress bars move and then the results. Tests of the seed leave them out
(``INSIGHT_DEMO_RUNS``): a topic model per seeded test would dominate the suite.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.consultations.models import Consultation
from civic.core.after_commit import enqueue_after_commit
from civic.insight import tasks
from civic.insight.models import AnalysisRun, RunKind
from civic.insight.runs import start_run, topic_params, unfinished_run
from civic.insight.sources import text_questions
from civic.surveys.models import QuestionKind

#: A fixed number of topics reads better in a demo than whatever the model discovers on a small corpus.
HEARING_TOPICS = 6
SURVEY_TOPICS = 8
#: The finished focus group has about a hundred open answers over three prompts.
FOCUS_GROUP_TOPICS = 5


def queue_demo_runs(
    session: Session,
    *,
    hearing: Consultation | None,
    survey: Consultation,
    actor: StaffUser,
    focus_group: Consultation | None = None,
) -> list[AnalysisRun]:
    """Queue the demo's runs (each starts after the seed commits); a kind already queued or running is skipped."""
    if not current_app.config.get("INSIGHT_DEMO_RUNS", True):
        return []
    embedder = current_app.config["INSIGHT_EMBEDDER"]
    # The survey's long free-text question: its short one asks for a street name, which is not a topic.
    long_texts = [q.id for q in text_questions(session, survey) if q.kind_enum == QuestionKind.LONG_TEXT]
    wanted: list[tuple[Consultation, RunKind, dict]] = [
        (survey, RunKind.TOPICS, topic_params(n_topics=SURVEY_TOPICS, embedder=embedder, question_ids=long_texts))
    ]
    if hearing is not None:
        wanted[:0] = [
            (hearing, RunKind.TOPICS, topic_params(n_topics=HEARING_TOPICS, embedder=embedder)),
            (hearing, RunKind.OPINION_GROUPS, {"seed": 0}),
        ]
    if focus_group is not None:
        wanted.append((focus_group, RunKind.TOPICS, topic_params(n_topics=FOCUS_GROUP_TOPICS, embedder=embedder)))
    queued = []
    for consultation, kind, params in wanted:
        if unfinished_run(session, consultation.id, kind) is not None:
            continue
        run = start_run(session, consultation, kind, params, actor=actor)
        enqueue_after_commit(session, tasks.run_analysis, run.id)
        queued.append(run)
    return queued
