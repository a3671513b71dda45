"""prompt_results: tallies per prompt kind from visible answers; hidden answers never count."""

from __future__ import annotations

from flask import render_template

from civic.focus_groups.models import Contribution, PromptKind
from civic.focus_groups.results import prompt_results


def _answer(db, prompt, participant, **values) -> Contribution:
    contribution = Contribution(prompt_id=prompt.id, participant_id=participant.id, **values)
    db.session.add(contribution)
    db.session.commit()
    return contribution


def test_single_choice_tallies_and_shares(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group(prompts=[(PromptKind.SINGLE_CHOICE, "Hvilken?", ["Ja", "Nei", "Vet ikke"])])
    prompt = group.prompts[0]
    for choice in (0, 0, 1):
        participant, _key = create_fg_participant(group)
        _answer(db, prompt, participant, choices=[choice])
    hidden, _key = create_fg_participant(group)
    _answer(db, prompt, hidden, choices=[2], is_hidden=True)

    results = prompt_results(db.session, prompt)

    assert results.answer_count == 3
    assert [(o.count, o.percent) for o in results.options] == [(2, 67), (1, 33), (0, 0)]


def test_multiple_choice_counts_each_option_once_per_answer(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group(prompts=[(PromptKind.MULTIPLE_CHOICE, "Hvilke?", ["A", "B", "C"])])
    prompt = group.prompts[0]
    for choices in ([0, 1], [0, 0, 2], [1, 99, "x"]):
        participant, _key = create_fg_participant(group)
        _answer(db, prompt, participant, choices=choices)

    results = prompt_results(db.session, prompt)

    assert [o.count for o in results.options] == [2, 2, 1]
    assert results.options[0].share == 2 / 3


def test_ranking_mean_rank_and_first_places(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group(prompts=[(PromptKind.RANKING, "Ranger", ["Fart", "Lys", "Sykkel"])])
    prompt = group.prompts[0]
    for order in ([1, 0, 2], [1, 2, 0], [0, 1, 2]):
        participant, _key = create_fg_participant(group)
        _answer(db, prompt, participant, choices=order)

    rows = prompt_results(db.session, prompt).ranking

    assert [row.index for row in rows] == [1, 0, 2]  # Lys (mean 4/3) before Fart (2) before Sykkel (8/3)
    assert rows[0].first_place_count == 2
    assert round(rows[0].mean_rank, 2) == 1.33


def test_statements_agree_disagree_pass(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group(prompts=[(PromptKind.STATEMENTS, "Påstander", ["Trygt", "Dyrt"])])
    prompt = group.prompts[0]
    for votes in ([1, -1], [1, 0], [-1, None]):
        participant, _key = create_fg_participant(group)
        _answer(db, prompt, participant, choices=votes)

    first, second = prompt_results(db.session, prompt).statements

    assert (first.agree, first.disagree, first.passed) == (2, 1, 0)
    assert (second.agree, second.disagree, second.passed) == (0, 1, 1)
    assert first.agree_percent == 67


def test_open_answers_highlighted_first_hidden_left_out(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group()
    prompt = group.prompts[0]
    people = [create_fg_participant(group)[0] for _ in range(4)]
    _answer(db, prompt, people[0], text="Popular", agree_count=5)
    _answer(db, prompt, people[1], text="Picked", is_highlighted=True)
    _answer(db, prompt, people[2], text="Rude", is_hidden=True, agree_count=9)
    _answer(db, prompt, people[3], text="Quiet", disagree_count=1)

    results = prompt_results(db.session, prompt)

    assert [a.text for a in results.answers] == ["Picked", "Popular", "Quiet"]
    assert results.answer_count == 3
    assert [a.text for a in results.highlighted] == ["Picked"]


def test_partial_renders_every_kind(app, db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group(
        prompts=[
            (PromptKind.OPEN, "Hva?"),
            (PromptKind.SINGLE_CHOICE, "Én", ["Ja", "Nei"]),
            (PromptKind.MULTIPLE_CHOICE, "Flere", ["A", "B"]),
            (PromptKind.RANKING, "Ranger", ["X", "Y"]),
            (PromptKind.STATEMENTS, "Påstander", ["S1"]),
        ]
    )
    participant, _key = create_fg_participant(group)
    answers = [
        {"text": "Trygg <skolevei>"},
        {"choices": [0]},
        {"choices": [0, 1]},
        {"choices": [1, 0]},
        {"choices": [1]},
    ]
    for prompt, values in zip(group.prompts, answers, strict=True):
        _answer(db, prompt, participant, **values)

    with app.test_request_context():
        pages = [
            render_template("focus_groups/_partials/results_prompt.html", results=prompt_results(db.session, p))
            for p in group.prompts
        ]

    assert "Trygg &lt;skolevei&gt;" in pages[0]
    assert "100 % (1)" in pages[1]
    assert "more than 100 %." in pages[2]
    assert '<th scope="row">Y</th>' in pages[3]
    assert "Agree" in pages[4]
