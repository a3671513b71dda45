"""Topic edits: rename, merge, split, hide and undo, applied again to the matching topics of a new run."""

from __future__ import annotations

import pytest

from civic.core.errors import InvalidInputError
from civic.insight import embeddings, topic_edits
from civic.insight.models import TopicEdit
from civic.insight.topic_edits import MIN_OVERLAP, OUTLIERS, TopicNotFoundError, build_view
from tests.insight.conftest import THEMES, comment_keys

THEME_IDS = {"parkering": 0, "sykkel": 1, "lekeplass": 2}


@pytest.fixture
def hearing(commented_hearing):
    return commented_hearing


@pytest.fixture
def first_run(hearing, make_topic_run):
    assignments = [THEME_IDS[theme] for theme in THEMES]
    assignments[-1] = -1  # one outlier
    return make_topic_run(hearing.consultation_id, comment_keys(hearing), assignments)


def _view(db, run, hearing):
    return build_view(db.session, run, hearing.consultation)


def _corpus(db, run, hearing):
    return topic_edits.Corpus(db.session, run, hearing.consultation)


def _rerun(make_topic_run, hearing, *, shift: int = 5, moved: int = 1):
    """A new run: the same themes as topics 5, 6 and 0, with ``moved`` texts of each theme in topic 4."""
    assignments = []
    seen: dict[str, int] = {}
    for theme in THEMES:
        seen[theme] = seen.get(theme, 0) + 1
        topic = (THEME_IDS[theme] + shift) % 7
        assignments.append(topic if seen[theme] > moved else 4)
    return make_topic_run(hearing.consultation_id, comment_keys(hearing), assignments)


def test_topics_come_from_the_run_with_outliers_apart(db, hearing, first_run):
    view = _view(db, first_run, hearing)
    assert sorted(t.size for t in view.topics) == [7, 8, 8]
    assert view.outliers == [23]
    assert view.get("t1").label == "topic 1"
    with pytest.raises(TopicNotFoundError):
        view.get("t9")


def test_rename_and_hide_are_stored_with_the_topics_texts_as_anchor(db, hearing, first_run, planner):
    view = _view(db, first_run, hearing)
    edit = topic_edits.rename_topic(db.session, view, "t0", "  Parkering   for beboere ", actor=planner)
    topic_edits.hide_topic(db.session, view, "t2", actor=planner)
    db.session.commit()
    assert edit.anchor == [list(key) for key in comment_keys(hearing)[:8]]
    assert edit.payload == {"label": "Parkering for beboere"}
    view = _view(db, first_run, hearing)
    assert view.get("t0").label == "Parkering for beboere"
    assert view.get("t0").renamed
    assert [t.key for t in view.hidden] == ["t2"]
    assert all(view.applied.values())


def test_edits_survive_a_rerun_with_new_topic_numbers(db, hearing, first_run, make_topic_run, planner):
    view = _view(db, first_run, hearing)
    topic_edits.rename_topic(db.session, view, "t0", "Parkering", actor=planner)
    topic_edits.hide_topic(db.session, view, "t1", actor=planner)
    db.session.commit()
    second = _rerun(make_topic_run, hearing)
    view = _view(db, second, hearing)
    by_label = {t.label: t for t in view.topics}
    assert "Parkering" in by_label
    assert by_label["Parkering"].key == "t5"  # the parking texts, now under another number
    assert [t.key for t in view.hidden] == ["t6"]  # the cycling texts
    assert all(view.applied.values())


def test_an_edit_whose_topic_changed_too_much_is_not_applied(db, hearing, first_run, make_topic_run, planner):
    view = _view(db, first_run, hearing)
    edit = topic_edits.rename_topic(db.session, view, "t0", "Parkering", actor=planner)
    db.session.commit()
    # Only 3 of the 8 parking texts stay together: Jaccard 3/8 < MIN_OVERLAP.
    second = _rerun(make_topic_run, hearing, moved=5)
    assert MIN_OVERLAP > 3 / 8
    view = _view(db, second, hearing)
    assert view.applied[edit.id] is False
    assert "Parkering" not in {t.label for t in view.topics}


def test_undo_removes_the_edit_but_keeps_the_record(db, hearing, first_run, planner):
    view = _view(db, first_run, hearing)
    edit = topic_edits.hide_topic(db.session, view, "t2", actor=planner)
    db.session.commit()
    topic_edits.undo_edit(db.session, hearing.consultation_id, edit.id)
    db.session.commit()
    view = _view(db, first_run, hearing)
    assert view.hidden == []
    assert db.session.get(TopicEdit, edit.id).undone_at is not None
    assert edit.id not in view.applied
    with pytest.raises(TopicNotFoundError):
        topic_edits.undo_edit(db.session, hearing.consultation_id + 1, edit.id)


def test_outliers_and_bad_names_are_refused(db, hearing, first_run, planner):
    view = _view(db, first_run, hearing)
    with pytest.raises(InvalidInputError):
        topic_edits.hide_topic(db.session, view, OUTLIERS, actor=planner)
    with pytest.raises(InvalidInputError):
        topic_edits.rename_topic(db.session, view, "t0", "   ", actor=planner)
    with pytest.raises(InvalidInputError):
        topic_edits.merge_topics(db.session, view, "t0", "t0", actor=planner)
    with pytest.raises(TopicNotFoundError):
        topic_edits.split_topic(db.session, view, "t7", _corpus(db, first_run, hearing), actor=planner)


def test_merge_joins_two_topics_and_recomputes_their_words(db, hearing, first_run, make_topic_run, planner):
    view = _view(db, first_run, hearing)
    topic_edits.merge_topics(db.session, view, "t1", "t0", actor=planner)
    db.session.commit()
    view = _view(db, first_run, hearing)
    merged = view.get("t0")
    assert merged.size == 16
    assert merged.reshaped
    assert {w for w, _s in merged.words[:10]} & {"parkering", "sykkel", "sykkelveien", "parkeringsplasser"}
    with pytest.raises(TopicNotFoundError):
        view.get("t1")
    # Kept in a re-run: the two themes' new topics are merged again.
    view = _view(db, _rerun(make_topic_run, hearing), hearing)
    assert max(t.size for t in view.topics) == 14


def test_split_uses_kmeans_on_the_stored_embeddings(db, hearing, make_topic_run, fake_embedder, planner):
    keys = comment_keys(hearing)
    texts = {c.id: c.body for c in hearing.comments_for_test}
    embeddings.store_vectors(
        db.session,
        "multilingual",
        [
            (key, embeddings.text_hash(texts[key[1]]), v)
            for key, v in zip(keys, fake_embedder.embed(list(texts.values())), strict=True)
        ],
    )
    # Parking and cycling comments in one topic: the split should separate them.
    run = make_topic_run(hearing.consultation_id, keys, [0] * 16 + [1] * 8)
    fake_embedder.calls = 0
    view = _view(db, run, hearing)
    topic_edits.split_topic(db.session, view, "t0", _corpus(db, run, hearing), actor=planner)
    db.session.commit()
    view = _view(db, run, hearing)
    parts = [view.get("t0-1"), view.get("t0-2")]
    themes = [{THEMES[i] for i in part.members} for part in parts]
    assert sorted(map(sorted, themes)) == [["parkering"], ["sykkel"]]
    assert all(part.representative and set(part.representative) <= set(part.members) for part in parts)
    assert fake_embedder.calls == 0  # the stored vectors were used, nothing was embedded


def test_a_small_topic_cannot_be_split(db, hearing, make_topic_run, planner):
    run = make_topic_run(hearing.consultation_id, comment_keys(hearing), [0] * 21 + [1] * 3)
    view = _view(db, run, hearing)
    with pytest.raises(InvalidInputError):
        topic_edits.split_topic(db.session, view, "t1", _corpus(db, run, hearing), actor=planner)
