"""Display conditions: evaluated over raw values, chained, across pages; hidden answers are dropped."""

from __future__ import annotations

from civic.surveys.conditions import visible_question_ids
from civic.surveys.models import Question, QuestionChoice, QuestionKind


def _q(qid: int, *, on: int | None = None, keys=(), choices=("a", "b")) -> Question:
    question = Question(
        id=qid, kind=QuestionKind.SINGLE_CHOICE, condition_question_id=on, condition_choice_keys=list(keys)
    )
    question.choices = [QuestionChoice(key=k, position=i) for i, k in enumerate(choices)]
    return question


def test_condition_met_and_unmet():
    first, second = _q(1), _q(2, on=1, keys=["a"])
    assert visible_question_ids([first, second], {"q1": ["a"]}) == {1, 2}
    assert visible_question_ids([first, second], {"q1": ["b"]}) == {1}
    assert visible_question_ids([first, second], {}) == {1}


def test_unknown_keys_do_not_satisfy_a_condition():
    first, second = _q(1), _q(2, on=1, keys=["a"])
    assert visible_question_ids([first, second], {"q1": ["zzz"]}) == {1}


def test_conditions_chain_through_hidden_questions():
    first, second, third = _q(1), _q(2, on=1, keys=["a"]), _q(3, on=2, keys=["b"])
    # 3's own condition is met, but 2 is hidden, so 3 is hidden too.
    assert visible_question_ids([first, second, third], {"q1": ["b"], "q2": ["b"]}) == {1}
    assert visible_question_ids([first, second, third], {"q1": ["a"], "q2": ["b"]}) == {1, 2, 3}


def test_condition_on_a_question_no_longer_active_is_ignored():
    orphan = _q(2, on=99, keys=["a"])
    assert visible_question_ids([orphan], {}) == {2}


def test_multiple_choice_condition_matches_any_key():
    first = _q(1, choices=("a", "b", "c"))
    first.kind = QuestionKind.MULTIPLE_CHOICE
    second = _q(2, on=1, keys=["c"])
    assert visible_question_ids([first, second], {"q1": ["a", "c"]}) == {1, 2}
