"""Answers per prompt kind, edits, refusals, votes and their counters, the vote sample, async progress."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from civic.core.errors import NotAllowedError, StateError
from civic.focus_groups import answering, live
from civic.focus_groups.models import Contribution, ContributionVote, FocusGroupMode, PromptKind

GUIDE = [
    (PromptKind.OPEN, "Hva synes du?"),
    (PromptKind.SINGLE_CHOICE, "Hvilken skole?", ["A", "B", "C"]),
    (PromptKind.MULTIPLE_CHOICE, "Hvilke tiltak?", ["A", "B", "C"]),
    (PromptKind.RANKING, "Ranger", ["A", "B", "C"]),
    (PromptKind.STATEMENTS, "Hva mener du?", ["S1", "S2"]),
]


@pytest.fixture
def running(db, create_focus_group):
    group = create_focus_group(prompts=GUIDE)
    live.start_session(db.session, group, actor=None)
    db.session.commit()
    return group


def _push(db, group, index):
    live.push_prompt(db.session, group, group.prompts[index], actor=None)
    return group.prompts[index]


@pytest.mark.parametrize(
    ("index", "form", "message"),
    [
        (0, {"text": ""}, "Write your answer"),
        (1, {"choice": "7"}, "Choose one"),
        (1, {"choice": "x"}, "Choose one"),
        (2, {}, "at least one"),
        (2, {"choices": ["0", "9"]}, "among the options"),
        (3, {"rank-0": "1", "rank-1": "2"}, "every option a position"),
        (3, {"rank-0": "1", "rank-1": "1", "rank-2": "2"}, "one option only"),
        (4, {"vote-0": "agree", "vote-1": "maybe"}, "every statement"),
    ],
)
def test_invalid_answers(db, running, create_fg_participant, index, form, message):
    participant, _key = create_fg_participant(running)
    prompt = _push(db, running, index)
    with pytest.raises(answering.AnswerError) as refused:
        answering.submit_answer(db.session, running, prompt, participant, MultiDict(form))
    assert message in refused.value.message
    assert refused.value.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_multiple_choice_bounds(db, create_focus_group, create_fg_participant):
    group = create_focus_group(
        prompts=[
            {
                "kind": PromptKind.MULTIPLE_CHOICE,
                "text": "Velg",
                "options": ["A", "B", "C"],
                "min_choices": 2,
                "max_choices": 2,
            }
        ]
    )
    live.start_session(db.session, group, actor=None)
    prompt = _push(db, group, 0)
    participant, _key = create_fg_participant(group)
    for choices, message in ((["0"], "at least 2"), (["0", "1", "2"], "at most 2")):
        with pytest.raises(answering.AnswerError, match=message):
            answering.submit_answer(
                db.session, group, prompt, participant, MultiDict([("choices", c) for c in choices])
            )
    contribution, created = answering.submit_answer(
        db.session, group, prompt, participant, MultiDict([("choices", "2"), ("choices", "0")])
    )
    assert created
    assert contribution.choices == [0, 2]


def test_edit_keeps_one_row(db, running, create_fg_participant):
    participant, _key = create_fg_participant(running)
    prompt = _push(db, running, 0)
    first, created = answering.submit_answer(db.session, running, prompt, participant, MultiDict({"text": "En"}))
    second, again = answering.submit_answer(db.session, running, prompt, participant, MultiDict({"text": "To"}))
    assert created
    assert not again
    assert first.id == second.id
    assert second.text == "To"


def test_pending_and_closed_prompts_refuse(db, running, create_fg_participant):
    participant, _key = create_fg_participant(running)
    pending = running.prompts[1]
    with pytest.raises(StateError, match="not open yet"):
        answering.submit_answer(db.session, running, pending, participant, MultiDict({"choice": "0"}))
    prompt = _push(db, running, 0)
    live.close_prompt(db.session, running, prompt, actor=None)
    with pytest.raises(StateError, match="has closed"):
        answering.submit_answer(db.session, running, prompt, participant, MultiDict({"text": "Sent"}))


def test_votes_move_counters(db, running, create_fg_participant):
    prompt = _push(db, running, 0)
    author, _k = create_fg_participant(running)
    voter, _k2 = create_fg_participant(running)
    answer, _ = answering.submit_answer(db.session, running, prompt, author, MultiDict({"text": "Svar"}))
    with pytest.raises(NotAllowedError):
        answering.cast_vote(db.session, running, author, answer.id, "agree")
    with pytest.raises(answering.ContributionNotFoundError):
        answering.cast_vote(db.session, running, voter, answer.id + 100, "agree")
    assert answering.cast_vote(db.session, running, voter, answer.id, "agree")[1] == answering.VoteCounts(1, 0, 0)
    assert answering.cast_vote(db.session, running, voter, answer.id, "pass")[1] == answering.VoteCounts(0, 0, 1)
    assert answering.cast_vote(db.session, running, voter, answer.id, "pass")[1] == answering.VoteCounts(0, 0, 1)
    db.session.refresh(answer)
    assert (answer.agree_count, answer.disagree_count, answer.pass_count) == (0, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(ContributionVote)) == 1
    live.set_hidden(db.session, running, answer, True, actor=None)
    with pytest.raises(answering.ContributionNotFoundError):
        answering.cast_vote(db.session, running, voter, answer.id, "agree")


def test_vote_sample_leaves_out_own_hidden_and_voted(db, running, create_fg_participant):
    prompt = _push(db, running, 0)
    me, _k = create_fg_participant(running)
    answering.submit_answer(db.session, running, prompt, me, MultiDict({"text": "Mitt"}))
    answers = []
    for number in range(8):
        other, _key = create_fg_participant(running)
        answers.append(
            answering.submit_answer(db.session, running, prompt, other, MultiDict({"text": f"S{number}"}))[0]
        )
    live.set_hidden(db.session, running, answers[0], True, actor=None)
    answering.cast_vote(db.session, running, me, answers[1].id, "agree")
    sample = answering.vote_sample(db.session, prompt, me.id)
    assert len(sample) == 5
    ids = {item.id for item in sample}
    assert answers[0].id not in ids
    assert answers[1].id not in ids
    assert len(answering.vote_sample(db.session, prompt, me.id, limit=50)) == 6


def test_async_steps_and_window(db, create_focus_group, create_fg_participant):
    group = create_focus_group(mode=FocusGroupMode.ASYNC, prompts=GUIDE[:2])
    participant, _key = create_fg_participant(group)
    first = group.prompts[0]
    answering.submit_answer(db.session, group, first, participant, MultiDict({"text": "Hei"}))
    steps = answering.async_steps(db.session, group, participant.id)
    assert [(s.number, s.answered) for s in steps] == [(1, True), (2, False)]
    group.consultation.closes_at = group.consultation.opens_at
    with pytest.raises(StateError, match="finished"):
        answering.submit_answer(db.session, group, first, participant, MultiDict({"text": "Sent"}))
