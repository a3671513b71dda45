"""Live themes of a prompt's open answers, found by the analysis library while the session runs.

``analysis.topics.fit_topics`` with the "none" embedder (TF-IDF + SVD fitted on the answers, no model download)
and a fixed number of themes, which makes the library cluster with KMeans straight on those vectors (no UMAP, so no
numba compilation). Measured on short synthetic Norwegian answers, warm process, median of 3: 0.04 s for 50 answers
and 0.06 s for 300 (first call in a fresh process 2 s: imports); the multilingual embedder took 0.58 s / 3.2 s with
the same theme counts (0.54 s / 3.5 s, up to 8 s, letting the library discover the count), and "none" in discover
mode 0.07 s / 0.39 s but 26 s on its first call (UMAP's JIT compilation). Fast enough to recompute every few
seconds while answers arrive. Hidden answers are left out (they are excluded from analysis).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.topics import fit_topics
from analysis.topics.model import MIN_TEXTS
from civic.focus_groups.models import Contribution, Prompt, PromptKind

EMBEDDER = "none"
#: Fewer answers than this give no themes (the library's own minimum): the console says so.
MIN_ANSWERS = MIN_TEXTS
MAX_THEMES = 6
WORDS_PER_THEME = 5


def theme_count(answers: int) -> int:
    """About one theme per eight answers, two to six: a moderator can read six themes at a glance."""
    return max(2, min(MAX_THEMES, answers // 8))


def visible_answers(session: Session, prompt: Prompt) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Contribution.id, Contribution.text)
        .where(Contribution.prompt_id == prompt.id, Contribution.is_hidden.is_(False), Contribution.text != "")
        .order_by(Contribution.id)
    ).all()
    return [(row.id, row.text) for row in rows]


def visible_answer_count(session: Session, prompt: Prompt) -> int:
    """One count query: the live panels ask this every few seconds."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.prompt_id == prompt.id, Contribution.is_hidden.is_(False), Contribution.text != "")
        )
        or 0
    )


def needs_update(session: Session, prompt: Prompt) -> bool:
    """Open prompts whose visible answers changed in number since the themes were last computed."""
    if prompt.kind != PromptKind.OPEN:
        return False
    return visible_answer_count(session, prompt) != prompt.themed_answer_count or not prompt.themes


def update_themes(session: Session, prompt: Prompt) -> bool:
    """Recompute ``prompt.themes`` unless the count of visible answers is unchanged; flush. True if recomputed.

    ``prompt.themes`` becomes {"status": "ok" | "too_few" | "none", "minimum": N, "themes": [{label, words,
    answer_ids, size}, ...]} with the biggest theme first.
    """
    if prompt.kind != PromptKind.OPEN:
        return False
    answers = visible_answers(session, prompt)
    if len(answers) == prompt.themed_answer_count and prompt.themes:
        return False
    prompt.themes = _themes(answers)
    prompt.themed_answer_count = len(answers)
    session.flush()
    return True


def _themes(answers: list[tuple[int, str]]) -> dict[str, Any]:
    if len(answers) < MIN_ANSWERS:
        return {"status": "too_few", "minimum": MIN_ANSWERS, "themes": []}
    texts = [text for _id, text in answers]
    result = fit_topics(texts, embedder=EMBEDDER, n_topics=theme_count(len(texts)), seed=0, min_topic_size=2)
    if not result.ok:
        status = "too_few" if result.reason in ("too_few_texts", "too_few_distinct_texts") else "none"
        return {"status": status, "minimum": MIN_ANSWERS, "themes": []}
    members: dict[int, list[int]] = {}
    for (answer_id, _text), topic_id in zip(answers, result.assignments, strict=True):
        if topic_id >= 0:
            members.setdefault(topic_id, []).append(answer_id)
    themes = [
        {
            "label": topic.label,
            "words": [word for word, _score in topic.words[:WORDS_PER_THEME]],
            "answer_ids": members.get(topic.topic_id, []),
            "size": topic.size,
        }
        for topic in result.topics
    ]
    themes.sort(key=lambda theme: -theme["size"])
    return {"status": "ok", "minimum": MIN_ANSWERS, "themes": themes}
