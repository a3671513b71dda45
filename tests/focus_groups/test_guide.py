"""The discussion guide: prompts of every kind, validation, editing rules, order."""

from __future__ import annotations

import pytest

from civic.consultations.models import ConsultationState
from civic.core.errors import InvalidInputError, StateError
from civic.focus_groups import guide
from civic.focus_groups.models import FocusGroupMode, PromptKind, PromptState, SessionState


@pytest.fixture
def group(create_focus_group):
    return create_focus_group(state=ConsultationState.DRAFT, prompts=[])


def test_add_prompts_of_every_kind(db, group):
    guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text={"nb": "Hva?", "en": "What?"}, max_length=500)
    guide.add_prompt(db.session, group, kind=PromptKind.SINGLE_CHOICE, text="Én", options=["A", "B"])
    guide.add_prompt(
        db.session,
        group,
        kind=PromptKind.MULTIPLE_CHOICE,
        text="Flere",
        options=["A", "B", "C"],
        min_choices=1,
        max_choices=2,
    )
    guide.add_prompt(db.session, group, kind=PromptKind.RANKING, text="Ranger", options=["A", "B"])
    guide.add_prompt(db.session, group, kind=PromptKind.STATEMENTS, text="Enig?", statements=["S1"])
    assert [p.position for p in group.prompts] == [0, 1, 2, 3, 4]
    assert group.prompts[0].max_length == 500
    assert group.prompts[2].max_choices == 2
    assert group.prompts[4].options == []
    assert group.prompts[4].statements == [{"nb": "S1"}]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": PromptKind.OPEN, "text": {"nb": " "}}, "Write the prompt"),
        ({"kind": PromptKind.SINGLE_CHOICE, "text": "x", "options": ["A"]}, "at least two options"),
        ({"kind": PromptKind.RANKING, "text": "x"}, "at least two options"),
        ({"kind": PromptKind.STATEMENTS, "text": "x"}, "at least one statement"),
        ({"kind": PromptKind.MULTIPLE_CHOICE, "text": "x", "options": ["A", "B"], "min_choices": 3}, "least number"),
        (
            {
                "kind": PromptKind.MULTIPLE_CHOICE,
                "text": "x",
                "options": ["A", "B"],
                "min_choices": 2,
                "max_choices": 1,
            },
            "most choices",
        ),
        ({"kind": PromptKind.OPEN, "text": "x", "max_length": 10}, "longest answer"),
        ({"kind": PromptKind.OPEN, "text": {"nb": "x"}, "require_languages": ["nb", "en"]}, "every language"),
        ({"kind": PromptKind.SINGLE_CHOICE, "text": "x", "options": [str(i) for i in range(21)]}, "At most 20"),
    ],
)
def test_invalid_prompts_are_refused(db, group, fields, message):
    with pytest.raises(InvalidInputError, match=message):
        guide.add_prompt(db.session, group, **fields)
    assert group.prompts == []


def test_items_from_lines_lines_up_languages():
    items = guide.items_from_lines({"nb": "Ja\n\nNei\n", "en": "Yes\nNo", "nn": ""})
    assert items == [{"nb": "Ja", "en": "Yes"}, {"nb": "Nei", "en": "No"}]
    assert guide.lines_from_items(items, "en") == "Yes\nNo"
    with pytest.raises(InvalidInputError, match="same number of lines"):
        guide.items_from_lines({"nb": "Ja\nNei", "en": "Yes"})


def test_changing_kind_drops_what_the_kind_does_not_use(db, group):
    prompt = guide.add_prompt(db.session, group, kind=PromptKind.SINGLE_CHOICE, text="x", options=["A", "B"])
    guide.update_prompt(db.session, prompt, kind=PromptKind.OPEN)
    assert prompt.options == []
    assert prompt.kind == PromptKind.OPEN


def test_shown_prompts_cannot_change(db, group):
    shown = guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text="A")
    shown.state = PromptState.CLOSED
    with pytest.raises(StateError, match="already been shown"):
        guide.update_prompt(db.session, shown, text="B")
    with pytest.raises(StateError, match="already been shown"):
        guide.delete_prompt(db.session, shown)


def test_move_and_delete_keep_positions_dense(db, group):
    a, b, c = (guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text=t) for t in "ABC")
    assert guide.move_prompt(db.session, c, -1)
    assert [p.text["nb"] for p in group.prompts] == ["A", "C", "B"]
    assert not guide.move_prompt(db.session, a, -1)
    guide.delete_prompt(db.session, a)
    assert [(p.text["nb"], p.position) for p in group.prompts] == [("C", 0), ("B", 1)]
    guide.reorder_prompts(db.session, group, [b.id, c.id])
    assert [p.text["nb"] for p in group.prompts] == ["B", "C"]
    with pytest.raises(InvalidInputError):
        guide.reorder_prompts(db.session, group, [b.id])


def test_pending_prompts_cannot_jump_over_shown_ones(db, group):
    a, b = (guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text=t) for t in "AB")
    a.state = PromptState.CLOSED
    assert not guide.move_prompt(db.session, b, -1)
    with pytest.raises(StateError, match="keep their place"):
        guide.reorder_prompts(db.session, group, [b.id, a.id])


def test_open_async_guide_and_finished_session_are_locked(db, create_focus_group):
    async_group = create_focus_group(mode=FocusGroupMode.ASYNC)
    with pytest.raises(StateError, match="asynchronous"):
        guide.add_prompt(db.session, async_group, kind=PromptKind.OPEN, text="Ny")
    finished = create_focus_group(session_state=SessionState.FINISHED)
    with pytest.raises(StateError, match="finished"):
        guide.add_prompt(db.session, finished, kind=PromptKind.OPEN, text="Ny")


def test_live_group_may_add_prompts_while_open(db, create_focus_group):
    group = create_focus_group(session_state=SessionState.LIVE)
    guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text="Ny")
    assert len(group.prompts) == 2
