"""Live themes: the task groups visible open answers and skips when their number has not changed."""

from __future__ import annotations

from civic.focus_groups import tasks, themes
from civic.focus_groups.models import Contribution, Prompt, PromptKind

TEXTS = [
    "Lavere fart i gata ved skolen",
    "Farten må ned ved skolen",
    "Mindre fart og færre biler",
    "Bedre lys om vinteren",
    "Mer lys i gata om kvelden",
    "Lys ved busstoppet",
    "Sykkelvei til skolen",
    "Bredere sykkelvei langs gata",
    "Trygg sykkelvei for barna",
    "Fart og lys henger sammen",
    "Sykkelstativ ved skolen",
]


def _answers(db, group, create_fg_participant, texts, **values) -> list[Contribution]:
    rows = []
    for text in texts:
        participant, _key = create_fg_participant(group)
        rows.append(Contribution(prompt_id=group.prompts[0].id, participant_id=participant.id, text=text, **values))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_too_few_answers_say_so(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group()
    _answers(db, group, create_fg_participant, TEXTS[:5])
    assert tasks.theme_prompt(group.prompts[0].id) is True
    db.session.expire_all()  # the task ran in its own app context and session
    prompt = db.session.get(Prompt, group.prompts[0].id)
    assert prompt.themes == {"status": "too_few", "minimum": 10, "themes": []}
    assert prompt.themed_answer_count == 5


def test_themes_group_answers_and_leave_hidden_out(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group()
    visible = _answers(db, group, create_fg_participant, TEXTS)
    hidden = _answers(db, group, create_fg_participant, ["Skjult svar om fart"], is_hidden=True)

    assert tasks.theme_prompt(group.prompts[0].id) is True

    db.session.expire_all()  # the task ran in its own app context and session
    prompt = db.session.get(Prompt, group.prompts[0].id)
    found = prompt.themes["themes"]
    assert prompt.themes["status"] == "ok"
    assert prompt.themed_answer_count == len(TEXTS)
    assert len(found) == themes.theme_count(len(TEXTS)) == 2
    members = [answer_id for theme in found for answer_id in theme["answer_ids"]]
    assert sorted(members) == sorted(a.id for a in visible)
    assert hidden[0].id not in members
    assert all(theme["words"] and theme["size"] == len(theme["answer_ids"]) for theme in found)
    assert found[0]["size"] >= found[1]["size"]


def test_task_is_idempotent(db, create_focus_group, create_fg_participant) -> None:
    group = create_focus_group()
    _answers(db, group, create_fg_participant, TEXTS)
    assert tasks.theme_prompt(group.prompts[0].id) is True
    assert tasks.theme_prompt(group.prompts[0].id) is False  # same count: skipped
    assert tasks.theme_prompt(999999) is False


def test_request_is_throttled_and_sent_after_commit(
    app, db, create_focus_group, create_fg_participant, monkeypatch
) -> None:
    group = create_focus_group()
    prompt = group.prompts[0]
    _answers(db, group, create_fg_participant, TEXTS[:3])
    sent: list[int] = []
    monkeypatch.setattr(tasks.theme_prompt, "delay", lambda prompt_id: sent.append(prompt_id))
    monkeypatch.setattr(tasks, "_last_requested", {})
    app.config["FOCUS_GROUP_THEMES_SECONDS"] = 60

    assert tasks.request_themes(db.session, prompt) is True
    assert sent == []  # only after the commit
    db.session.commit()
    assert sent == [prompt.id]
    assert tasks.request_themes(db.session, prompt) is False  # within the interval


def test_polls_have_no_themes(db, create_focus_group) -> None:
    group = create_focus_group(prompts=[(PromptKind.SINGLE_CHOICE, "Ja?", ["Ja", "Nei"])])
    assert themes.update_themes(db.session, group.prompts[0]) is False
    assert themes.needs_update(db.session, group.prompts[0]) is False
