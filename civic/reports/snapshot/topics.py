"""Topics: the latest finished topic run as the planners edited it (renamed, merged, split; hidden topics left out).

Each topic keeps up to ``QUOTES`` quotes: the run's representative texts, then other texts of the topic, skipping
texts no longer analysable (a hearing comment hidden since the run) and texts in which screening finds personal
data or a link (survey answers are not moderated before a report quotes them).

Sizes are counts of texts. In a survey they are counts of respondents' answers and are suppressed as one list with
the outliers (and the texts of hidden topics, never printed) against the printed number of texts. Hearing comments
are public on the hearing's own page, so their topic sizes are printed as they are (as the insight pages do).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from analysis.topics import EMBEDDERS
from civic.consultations.models import ConsultationKind
from civic.focus_groups.models import Contribution, Prompt
from civic.hearings.moderation import visible_for_analysis
from civic.hearings.screening import screen_text
from civic.insight.models import RunKind, TextSource, TopicEditAction
from civic.insight.sources import Key, chunked
from civic.insight.topic_edits import Corpus, Topic, build_view
from civic.reports.snapshot.context import Build, iso
from civic.reports.snapshot.suppressed import share, shown, suppress_column
from civic.surveys.models import Answer, ResponseState, SurveyResponse

QUOTES = 3
#: Texts looked at per topic to find QUOTES quotable ones.
CANDIDATES = 12
MAX_QUOTE = 400
WORDS = 8


def topics(build: Build) -> dict[str, Any] | None:
    run = build.latest_done_run(RunKind.TOPICS)
    if run is None:
        return None
    # The corpus loads texts only if an edit needs them (merge and split relabel); quotes are fetched below.
    view = build_view(build.session, run, build.consultation, Corpus(build.session, run, build.consultation))
    visible = view.visible
    n_texts = len(view.documents)
    hidden_texts = sum(topic.size for topic in view.hidden)
    sizes = [topic.size for topic in visible]
    if build.consultation.kind == ConsultationKind.SURVEY:
        column = [*sizes, len(view.outliers), *([hidden_texts] if hidden_texts else [])]
        hidden = suppress_column(column, total_known=True)
        build.tally.add(hidden)
    else:
        hidden = [False] * (len(sizes) + 1)
    quotes = _quotes(build, view.documents, visible)
    params = run.params or {}
    result = run.result or {}
    embedder = str(result.get("embedder") or params.get("embedder") or "")
    info = EMBEDDERS.get(embedder)
    edits = Counter(edit.action for edit in view.edits if edit.undone_at is None)
    items = []
    for topic, size, hide in zip(visible, sizes, hidden, strict=False):
        count = shown(size, hide)
        items.append(
            {
                "key": topic.key,
                "label": topic.label,
                "size": count,
                "share": share(count, n_texts),
                "words": [word for word, _score in topic.words[:WORDS]],
                "quotes": quotes.get(topic.key, []),
            }
        )
    return {
        "run_id": run.id,
        "finished_at": iso(run.finished_at),
        "embedder": embedder,
        "model": info.description.split(":", 1)[0] if info else embedder,
        "model_id": info.model_id if info else "",
        "mode": "fixed" if params.get("n_topics") else "discover",
        "n_topics": params.get("n_topics"),
        "texts": n_texts,
        "outliers": shown(len(view.outliers), hidden[len(sizes)]),
        "hidden_topics": len(view.hidden),
        "edits": {action.value: edits.get(action.value, 0) for action in TopicEditAction},
        "topics": items,
    }


def _quotes(build: Build, documents: list[Key], visible: list[Topic]) -> dict[str, list[str]]:
    candidates: dict[str, list[Key]] = {}
    for topic in visible:
        order = list(dict.fromkeys([*topic.representative, *topic.members]))[:CANDIDATES]
        candidates[topic.key] = [documents[index] for index in order if 0 <= index < len(documents)]
    found = _texts(build, [key for keys in candidates.values() for key in keys])
    quotes: dict[str, list[str]] = {}
    for topic_key, keys in candidates.items():
        picked: list[str] = []
        for key in keys:
            text = " ".join((found.get(key) or "").split())
            if not text or text in picked or screen_text(text):
                continue
            picked.append(text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "…")
            if len(picked) == QUOTES:
                break
        quotes[topic_key] = picked
    return quotes


def _texts(build: Build, keys: list[Key]) -> dict[Key, str]:
    """Today's text of each key that is still analysable (published comments, submitted answers)."""
    by_source: dict[str, list[int]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    found: dict[Key, str] = {}
    session = build.session
    for source, ids in by_source.items():
        if source == TextSource.HEARING_COMMENT and build.hearing is not None:
            # Comments only through the moderation's one entry point for analysis (published ones).
            wanted = set(ids)
            found.update(
                {
                    (source, comment.id): comment.body or ""
                    for comment in visible_for_analysis(session, build.hearing.id)
                    if comment.id in wanted
                }
            )
            continue
        for chunk in chunked(sorted(set(ids)), 500):
            if source == TextSource.SURVEY_ANSWER:
                rows = session.execute(
                    select(Answer.id, Answer.text)
                    .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
                    .where(Answer.id.in_(chunk), SurveyResponse.state == ResponseState.SUBMITTED)
                )
            elif source == TextSource.FOCUS_GROUP_ANSWER and build.focus_group is not None:
                # Hidden answers were moderated out: never quoted, as in the analysis itself.
                rows = session.execute(
                    select(Contribution.id, Contribution.text)
                    .join(Prompt, Prompt.id == Contribution.prompt_id)
                    .where(
                        Contribution.id.in_(chunk),
                        Prompt.focus_group_id == build.focus_group.id,
                        Contribution.is_hidden.is_(False),
                    )
                )
            else:
                continue
            found.update({(source, int(source_id)): text or "" for source_id, text in rows})
    return found
