"""Focus-group answers flow into the analysis like hearing comments: visible open answers only, by prompt."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.core.timeutils import now_utc
from civic.focus_groups.models import Contribution, FocusGroup, PromptKind
from civic.insight import embeddings, sources
from civic.insight.models import AnalysisRun, RunKind, RunStatus, TextSource
from tests.focus_groups.conftest import create_fg_participant, create_focus_group  # noqa: F401 - fixtures
from tests.insight.conftest import CORPUS

PROMPTS = [
    (PromptKind.OPEN, "Hva er viktigst for deg i nabolaget?"),
    (PromptKind.SINGLE_CHOICE, "Hvilken gate først?", ["Årvollveien", "Tonsenveien"]),
    (PromptKind.OPEN, "Noe mer?"),
]


@pytest.fixture
def answered_group(db, create_focus_group, create_fg_participant) -> FocusGroup:  # noqa: F811
    """CORPUS as answers to the first open prompt (24 participants), a poll answer, one hidden answer to the
    second open prompt and an empty text."""
    group = create_focus_group(prompts=PROMPTS)
    first, poll, second = group.prompts
    start = now_utc() - timedelta(hours=1)
    districts = ["Årvoll", "Tonsenhagen", "Veitvet"]
    for index, text in enumerate(CORPUS):
        participant, _key = create_fg_participant(group, district=districts[index % 3], age_band="30-44")
        db.session.add(
            Contribution(
                prompt_id=first.id,
                participant_id=participant.id,
                text=text,
                created_at=start + timedelta(minutes=index),
            )
        )
        if index == 0:
            db.session.add(Contribution(prompt_id=poll.id, participant_id=participant.id, choices=[1], text=""))
            db.session.add(
                Contribution(prompt_id=second.id, participant_id=participant.id, text="Skjult svar", is_hidden=True)
            )
        if index == 1:
            db.session.add(Contribution(prompt_id=second.id, participant_id=participant.id, text="   "))
    db.session.commit()
    return group


def test_visible_open_answers_are_the_texts(db, answered_group) -> None:
    texts = sources.consultation_texts(db.session, answered_group.consultation)
    assert len(texts) == len(CORPUS)
    assert {t.source for t in texts} == {TextSource.FOCUS_GROUP_ANSWER.value}
    assert "Skjult svar" not in {t.text for t in texts}
    assert texts[0].section == "1. Hva er viktigst for deg i nabolaget?"
    assert texts[0].segment == {"age_band": "30-44", "district": "Årvoll", "household_type": ""}
    assert len({t.author for t in texts}) == len(CORPUS)
    only_second = sources.consultation_texts(
        db.session, answered_group.consultation, question_ids=[answered_group.prompts[2].id]
    )
    assert only_second == []


def test_pending_texts_include_focus_group_answers(db, answered_group) -> None:
    pending = embeddings.pending_texts(db.session, "multilingual", limit=1000)
    focus = [p for p in pending if p.source == TextSource.FOCUS_GROUP_ANSWER.value]
    assert len(focus) == len(CORPUS) + 1  # the hidden one too: it may be shown again


def test_planner_runs_topics_on_a_focus_group(client, db, answered_group, logged_in_planner) -> None:
    cid = answered_group.consultation_id
    overview = client.get(f"/manage/insight/{cid}")
    assert overview.status_code == 200
    assert "answers to open prompts" in overview.text
    assert "Hva er viktigst for deg i nabolaget?" in overview.text  # the prompt choice
    assert "Hvilken gate først?" not in overview.text  # polls have no text to analyse
    response = client.post(
        f"/manage/insight/{cid}/runs",
        data={
            "kind": "topics",
            "embedder": "none",
            "mode": "fixed",
            "n_topics": "3",
            "questions": [str(answered_group.prompts[0].id)],
        },
    )
    assert response.status_code == 303
    run = db.session.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == cid)).one()
    assert run.status == RunStatus.DONE, run.error
    assert run.kind == RunKind.TOPICS
    assert len(run.result["documents"]) == len(CORPUS)
    page = client.get(f"/manage/insight/{cid}/topics")
    assert page.status_code == 200
    assert "Topics by prompt or group of participants" in page.text
    by_district = client.get(f"/manage/insight/{cid}/topics?segment=district")
    assert by_district.status_code == 200
    export = client.get(f"/manage/insight/{cid}/topics/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert {row[1] for row in rows[1:]} == {"Focus group answer"}


def test_opinion_groups_are_not_offered_for_focus_groups(client, answered_group, logged_in_planner) -> None:
    cid = answered_group.consultation_id
    assert "Find opinion groups" not in client.get(f"/manage/insight/{cid}").text
    assert client.post(f"/manage/insight/{cid}/runs", data={"kind": "opinion_groups"}).status_code == 422
