"""Planners' edits of topics (rename, merge, split, hide), kept across re-runs of the topic model.

An edit is stored with an *anchor*: the (source, source_id) pairs of the texts its topic held. To show a run,
its topics are built from the stored result and every edit that has not been undone is applied in the order it
was made, each to the topic that shares most texts with its anchor (Jaccard ≥ ``MIN_OVERLAP``). So an edit made
on one run finds "the same" topic in the next run even though topic numbers change; an edit whose topic no longer
exists is shown as not applied. Merged and split topics get new top words from the library's c-TF-IDF.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from flask_babel import gettext as _
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.topics import topic_label, topic_words
from civic.accounts.models import StaffUser
from civic.consultations.models import Consultation
from civic.core.errors import InvalidInputError
from civic.core.timeutils import now_utc
from civic.insight import embeddings, sources
from civic.insight.models import AnalysisRun, TopicEdit, TopicEditAction
from civic.insight.sources import Key

#: How much of an edit's anchor a topic must share (Jaccard index) to receive the edit.
MIN_OVERLAP = 0.5
#: A topic needs this many texts to be split in two.
MIN_SPLIT_SIZE = 4
OUTLIERS = "outliers"
REPRESENTATIVE = 3
MAX_LABEL = 80


class TopicNotFoundError(LookupError):
    """No topic with that key in the run as edited (the view answers 404)."""


@dataclass
class Topic:
    key: str
    label: str
    words: list[tuple[str, float]]
    members: list[int]  # indices into the run's documents
    representative: list[int]
    hidden: bool = False
    renamed: bool = False
    reshaped: bool = False  # merged or split: its words are recomputed
    edit_ids: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class TopicView:
    """A run's topics after the planners' edits."""

    run: AnalysisRun
    documents: list[Key]
    topics: list[Topic]
    outliers: list[int]
    edits: list[TopicEdit]
    applied: dict[int, bool]

    @property
    def visible(self) -> list[Topic]:
        return [t for t in self.topics if not t.hidden]

    @property
    def hidden(self) -> list[Topic]:
        return [t for t in self.topics if t.hidden]

    def get(self, key: str) -> Topic:
        for topic in self.topics:
            if topic.key == key:
                return topic
        raise TopicNotFoundError(key)

    def anchor(self, topic: Topic) -> list[list[Any]]:
        return [list(self.documents[i]) for i in topic.members]

    def topic_of_documents(self) -> list[Topic | None]:
        """Per document, its topic (None: an outlier)."""
        owner: list[Topic | None] = [None] * len(self.documents)
        for topic in self.topics:
            for index in topic.members:
                owner[index] = topic
        return owner


def base_topics(run: AnalysisRun) -> tuple[list[Key], list[Topic], list[int]]:
    """The run's topics as the library found them."""
    result = run.result or {}
    documents = [(str(s), int(i)) for s, i in result.get("documents", [])]
    members: dict[int, list[int]] = {}
    for index, topic_id in enumerate(result.get("assignments", [])):
        members.setdefault(int(topic_id), []).append(index)
    topics = []
    for info in result.get("topics", []):
        topic_id = int(info["topic_id"])
        if topic_id < 0:
            continue
        words = [(str(w[0]), float(w[1])) for w in info.get("words", [])]
        topics.append(
            Topic(
                key=f"t{topic_id}",
                label=str(info.get("label") or topic_label(words)),
                words=words,
                members=members.get(topic_id, []),
                representative=[int(i) for i in info.get("representative", [])],
            )
        )
    return documents, topics, members.get(-1, [])


def active_edits(session: Session, consultation_id: int) -> list[TopicEdit]:
    return list(
        session.scalars(
            select(TopicEdit)
            .where(TopicEdit.consultation_id == consultation_id, TopicEdit.undone_at.is_(None))
            .order_by(TopicEdit.id)
        )
    )


def all_edits(session: Session, consultation_id: int) -> list[TopicEdit]:
    return list(
        session.scalars(select(TopicEdit).where(TopicEdit.consultation_id == consultation_id).order_by(TopicEdit.id))
    )


class Corpus:
    """The texts and vectors of a run's documents, loaded only when an edit needs them."""

    def __init__(self, session: Session, run: AnalysisRun, consultation: Consultation) -> None:
        self.session = session
        self.run = run
        self.consultation = consultation
        self._texts: dict[Key, sources.SourceText] | None = None

    @property
    def texts(self) -> dict[Key, sources.SourceText]:
        """Today's analysable texts by key (a comment hidden since the run is missing)."""
        if self._texts is None:
            questions = (self.run.params or {}).get("question_ids")
            self._texts = sources.by_key(
                sources.consultation_texts(self.session, self.consultation, question_ids=questions)
            )
        return self._texts

    def text(self, key: Key) -> str:
        found = self.texts.get(key)
        return found.text if found else ""

    def vectors(self, keys: Sequence[Key]) -> Any:
        """The stored embeddings of ``keys``; TF-IDF of their texts when the run's embedder stores none."""
        name = str((self.run.result or {}).get("embedder") or (self.run.params or {}).get("embedder") or "")
        if name and embeddings.stores_vectors(name):
            stored = embeddings.stored_vectors(self.session, keys, name)
            if len(stored) == len(keys):
                return np.vstack([stored[k][1] for k in keys])
        return TfidfVectorizer().fit_transform([self.text(k) or "-" for k in keys])


def build_view(
    session: Session, run: AnalysisRun, consultation: Consultation, corpus: Corpus | None = None
) -> TopicView:
    """The run's topics with every active edit applied (oldest first)."""
    documents, topics, outliers = base_topics(run)
    corpus = corpus or Corpus(session, run, consultation)
    edits = all_edits(session, consultation.id)
    view = TopicView(run, documents, topics, outliers, edits, {})
    for edit in edits:
        if edit.undone_at is None:
            view.applied[edit.id] = _apply(view, edit, corpus)
    _relabel(view, corpus)
    view.topics.sort(key=lambda t: (t.hidden, -t.size, t.key))
    return view


def _member_keys(view: TopicView, topic: Topic) -> set[Key]:
    return {view.documents[i] for i in topic.members}


def _match(view: TopicView, anchor: Sequence[Sequence[Any]]) -> Topic | None:
    wanted = {(str(s), int(i)) for s, i in anchor}
    best, best_score = None, 0.0
    for topic in view.topics:
        members = _member_keys(view, topic)
        union = len(wanted | members)
        score = len(wanted & members) / union if union else 0.0
        if score > best_score:
            best, best_score = topic, score
    return best if best_score >= MIN_OVERLAP else None


def _apply(view: TopicView, edit: TopicEdit, corpus: Corpus) -> bool:
    topic = _match(view, edit.anchor)
    if topic is None:
        return False
    payload = edit.payload or {}
    if edit.action == TopicEditAction.RENAME:
        topic.label = str(payload.get("label", topic.label))[:MAX_LABEL]
        topic.renamed = True
    elif edit.action == TopicEditAction.HIDE:
        topic.hidden = True
    elif edit.action == TopicEditAction.MERGE:
        target = _match(view, payload.get("into_anchor", []))
        if target is None or target is topic:
            return False
        target.members = sorted(target.members + topic.members)
        target.representative = (target.representative + topic.representative)[: REPRESENTATIVE * 2]
        target.reshaped = True
        target.edit_ids.append(edit.id)
        view.topics.remove(topic)
        return True
    elif edit.action == TopicEditAction.SPLIT:
        parts = _split(view, topic, corpus, seed=int(payload.get("seed", 0)))
        if parts is None:
            return False
        index = view.topics.index(topic)
        view.topics[index : index + 1] = parts
        for part in parts:
            part.edit_ids.append(edit.id)
        return True
    topic.edit_ids.append(edit.id)
    return True


def _split(view: TopicView, topic: Topic, corpus: Corpus, *, seed: int) -> list[Topic] | None:
    """KMeans(2) on the topic's stored embeddings; each part's representatives are the texts nearest its centre.

    None when the topic cannot be split (too small, or its texts are all alike).
    """
    if topic.size < MIN_SPLIT_SIZE:
        return None
    keys = [view.documents[i] for i in topic.members]
    try:
        vectors = corpus.vectors(keys)
    except ValueError:  # TF-IDF of texts without a single word (all gone or empty)
        return None
    with warnings.catch_warnings():
        # Identical vectors give fewer distinct clusters than asked for: handled below, not a warning.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = KMeans(n_clusters=2, random_state=seed, n_init=10).fit(vectors)
    labels = model.labels_
    if len(set(labels.tolist())) < 2:
        return None
    parts = []
    for part in (0, 1):
        rows = np.flatnonzero(labels == part)
        nearest = rows[np.argsort(model.transform(vectors[rows])[:, part], kind="stable")]
        parts.append(
            Topic(
                key=f"{topic.key}-{part + 1}",
                label=topic.label,
                words=topic.words,
                members=[topic.members[r] for r in rows],
                representative=[topic.members[r] for r in nearest[:REPRESENTATIVE]],
                hidden=topic.hidden,
                reshaped=True,
            )
        )
    return parts


def _relabel(view: TopicView, corpus: Corpus) -> None:
    """New top words (c-TF-IDF over all topics) for merged and split topics; renamed ones keep their name."""
    if not any(t.reshaped for t in view.topics):
        return
    assignments = [-1] * len(view.documents)
    for number, topic in enumerate(view.topics):
        for index in topic.members:
            assignments[index] = number
    texts = [corpus.text(key) for key in view.documents]
    words = topic_words(texts, assignments)
    for number, topic in enumerate(view.topics):
        if topic.reshaped and number in words:
            topic.words = [(str(w), float(s)) for w, s in words[number]]
            if not topic.renamed:
                topic.label = topic_label(topic.words)


# --- making and undoing edits (the caller commits) ----------------------------------------------------------


def _editable(view: TopicView, key: str) -> Topic:
    if key == OUTLIERS:
        raise InvalidInputError(_("Texts outside every topic cannot be edited as a topic."))
    return view.get(key)


def _record(
    session: Session,
    view: TopicView,
    action: TopicEditAction,
    topic: Topic,
    payload: dict[str, Any],
    actor: StaffUser | None,
) -> TopicEdit:
    edit = TopicEdit(
        consultation_id=view.run.consultation_id,
        action=action.value,
        anchor=view.anchor(topic),
        payload=payload,
        created_by_id=actor.id if actor is not None else None,
        created_at=now_utc(),
    )
    session.add(edit)
    session.flush()
    return edit


def rename_topic(session: Session, view: TopicView, key: str, label: str, *, actor: StaffUser | None) -> TopicEdit:
    label = " ".join(label.split())[:MAX_LABEL]
    if not label:
        raise InvalidInputError(_("Give the topic a name."))
    return _record(session, view, TopicEditAction.RENAME, _editable(view, key), {"label": label}, actor)


def hide_topic(session: Session, view: TopicView, key: str, *, actor: StaffUser | None) -> TopicEdit:
    return _record(session, view, TopicEditAction.HIDE, _editable(view, key), {}, actor)


def merge_topics(session: Session, view: TopicView, key: str, into_key: str, *, actor: StaffUser | None) -> TopicEdit:
    topic = _editable(view, key)
    if into_key == key:
        raise InvalidInputError(_("Choose another topic to merge this one into."))
    try:
        target = _editable(view, into_key)
    except TopicNotFoundError:
        raise InvalidInputError(_("Choose another topic to merge this one into.")) from None
    return _record(session, view, TopicEditAction.MERGE, topic, {"into_anchor": view.anchor(target)}, actor)


def split_topic(session: Session, view: TopicView, key: str, corpus: Corpus, *, actor: StaffUser | None) -> TopicEdit:
    topic = _editable(view, key)
    if topic.size < MIN_SPLIT_SIZE:
        raise InvalidInputError(_("A topic needs at least %(n)d comments to be split.", n=MIN_SPLIT_SIZE))
    seed = int((view.run.params or {}).get("seed") or 0)
    if _split(view, topic, corpus, seed=seed) is None:
        raise InvalidInputError(_("This topic cannot be split: its comments are too much alike."))
    return _record(session, view, TopicEditAction.SPLIT, topic, {"parts": 2, "seed": seed}, actor)


def undo_edit(session: Session, consultation_id: int, edit_id: int, *, now: datetime | None = None) -> TopicEdit:
    """Undo an edit (it stays for the record); undoing twice changes nothing."""
    edit = session.get(TopicEdit, edit_id)
    if edit is None or edit.consultation_id != consultation_id:
        raise TopicNotFoundError(str(edit_id))
    if edit.undone_at is None:
        edit.undone_at = now or now_utc()
        session.flush()
    return edit
