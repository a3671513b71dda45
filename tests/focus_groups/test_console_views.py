"""The moderator console over HTTP: a whole session end to end, with htmx and without JS, and bad requests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import ConsultationState
from civic.extensions import db as _db
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    ModeratorAction,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
)

GUIDE = [
    (PromptKind.OPEN, "Hva er viktigst for skoleveien?"),
    (PromptKind.SINGLE_CHOICE, "Bør gata stenges?", ["Ja", "Nei"]),
]


@pytest.fixture
def moderator(create_staff, auth):
    user = create_staff(Role.MODERATOR)
    auth.login(user)
    return user


def _url(group: FocusGroup, tail: str = "") -> str:
    return f"/manage/focus-groups/{group.consultation_id}/console{tail}"


def _fresh(group: FocusGroup) -> FocusGroup:
    _db.session.expire_all()
    return _db.session.get(FocusGroup, group.id)


def test_run_a_whole_session_without_js(client, db, create_focus_group, create_fg_participant, moderator) -> None:
    group = create_focus_group(prompts=GUIDE)
    first, second = group.prompts
    page = client.get(_url(group))
    assert page.status_code == 200
    assert "Start the session" in page.text

    response = client.post(_url(group, "/start"))
    assert response.status_code == 303
    page = client.get(_url(group))
    assert "The session has started" in page.text
    assert "Push to participants" in page.text
    assert 'hx-trigger="every 3s"' in page.text

    assert client.post(_url(group, f"/prompts/{first.id}/push")).status_code == 303
    participant, _key = create_fg_participant(group)
    db.session.add(Contribution(prompt_id=first.id, participant_id=participant.id, text="Lavere fart"))
    db.session.commit()
    page = client.get(_url(group))
    assert "Lavere fart" in page.text
    assert "Hide" in page.text

    assert client.post(_url(group, f"/prompts/{second.id}/push")).status_code == 303
    db.session.add(Contribution(prompt_id=second.id, participant_id=participant.id, choices=[0]))
    db.session.commit()
    assert client.post(_url(group, f"/prompts/{second.id}/close")).status_code == 303
    assert client.post(_url(group, f"/prompts/{second.id}/share")).status_code == 303
    page = client.get(_url(group))
    assert "The results are shared with the participants." in page.text
    assert "data-figure" in page.text
    assert "100 % (1)" in page.text

    assert client.post(_url(group, "/follow-up"), data={"text": "Hvorfor?", "kind": "open"}).status_code == 303
    assert client.post(_url(group, "/finish")).status_code == 303
    group = _fresh(group)
    assert group.state == SessionState.FINISHED
    assert group.consultation.state == ConsultationState.CLOSED
    page = client.get(_url(group))
    assert "Finished" in page.text
    assert 'hx-trigger="every 3s"' not in page.text
    kinds = db.session.scalars(select(ModeratorAction.kind).order_by(ModeratorAction.id)).all()
    assert kinds == [
        "start",
        "push",
        "close_prompt",
        "push",
        "close_prompt",
        "share_results",
        "follow_up",
        "close_prompt",
        "finish",
    ]


def test_htmx_actions_return_the_console_body(htmx_client, db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    prompt = group.prompts[0]

    response = htmx_client.post(_url(group, f"/prompts/{prompt.id}/push"))

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="console-body"')
    assert "The prompt is now shown to the participants." in response.text
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]
    panels = htmx_client.get(_url(group, "/panels"))
    assert panels.status_code == 200
    assert panels.text.lstrip().startswith('<div id="live-panels"')


def test_errors_are_409_with_a_message_and_keep_the_follow_up(
    client, htmx_client, db, create_focus_group, moderator
) -> None:
    group = create_focus_group(prompts=GUIDE)

    response = client.post(_url(group, f"/prompts/{group.prompts[0].id}/push"))
    assert response.status_code == 409
    assert "Start the session first." in response.text

    group.state = SessionState.LIVE
    db.session.commit()
    response = htmx_client.post(
        _url(group, "/follow-up"), data={"text": "Velg", "kind": "single_choice", "options": "Bare"}
    )
    assert response.status_code == 422
    assert "A poll needs 2 to 20 options" in response.text
    assert ">Velg</textarea>" in response.text
    assert db.session.scalar(select(Prompt).where(Prompt.text["nb"].as_string() == "Velg")) is None


def test_foreign_and_missing_objects_are_404(client, db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    other = create_focus_group(prompts=GUIDE, title={"nb": "Annen"}, session_state=SessionState.LIVE)
    assert client.post(_url(group, f"/prompts/{other.prompts[0].id}/push")).status_code == 404
    assert client.post(_url(group, "/prompts/999999/close")).status_code == 404
    assert client.post(_url(group, "/contributions/999999/hide")).status_code == 404
    assert client.get("/manage/focus-groups/999999/console").status_code == 404


def test_hide_and_highlight_from_the_panels(
    htmx_client, db, create_focus_group, create_fg_participant, moderator
) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    prompt = group.prompts[0]
    htmx_client.post(_url(group, f"/prompts/{prompt.id}/push"))
    participant, _key = create_fg_participant(group, pseudonym="Deltaker 4821")
    answer = Contribution(prompt_id=prompt.id, participant_id=participant.id, text="Stygt ord")
    db.session.add(answer)
    db.session.commit()

    response = htmx_client.post(_url(group, f"/contributions/{answer.id}/highlight"), data={"value": "1"})
    assert response.status_code == 200
    assert "Remove highlight" in response.text
    response = htmx_client.post(_url(group, f"/contributions/{answer.id}/hide"), data={"value": "1"})
    assert response.status_code == 200
    assert "Show again" in response.text
    db.session.expire_all()
    assert db.session.get(Contribution, answer.id).is_hidden
    assert not db.session.get(Contribution, answer.id).is_highlighted


def test_themes_appear_in_the_panel(app, htmx_client, db, create_focus_group, create_fg_participant, moderator) -> None:
    app.config["FOCUS_GROUP_THEMES_SECONDS"] = 0
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    prompt = group.prompts[0]
    htmx_client.post(_url(group, f"/prompts/{prompt.id}/push"))
    panels = htmx_client.get(_url(group, "/panels"))
    assert "Themes appear from 10 answers." in panels.text
    texts = [
        "Lavere fart i gata",
        "Fart må ned",
        "Mindre fart nær skolen",
        "Bedre lys om vinteren",
        "Lys i gata",
        "Mer lys ved busstoppet",
        "Sykkelvei til skolen",
        "Bredere sykkelvei",
        "Trygg sykkelvei",
        "Fart og lys",
    ]
    for text in texts:
        participant, _key = create_fg_participant(group)
        db.session.add(Contribution(prompt_id=prompt.id, participant_id=participant.id, text=text))
    db.session.commit()

    panels = htmx_client.get(_url(group, "/panels"))

    assert "Grouped automatically from 10 answers" in panels.text
    db.session.expire_all()
    assert db.session.get(Prompt, prompt.id).themed_answer_count == 10


def test_async_console_has_no_session_buttons(client, db, create_focus_group, moderator) -> None:
    group = create_focus_group(mode="async", prompts=GUIDE)
    page = client.get(_url(group))
    assert page.status_code == 200
    assert "Start the session" not in page.text
    assert "Asynchronous" in page.text
    assert all(p.state == PromptState.OPEN for p in group.prompts)


def test_earlier_prompt_results_and_actions_keep_it_in_view(
    client, db, create_focus_group, create_fg_participant, moderator
) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    first, second = group.prompts
    client.post(_url(group, f"/prompts/{first.id}/push"))
    participant, _key = create_fg_participant(group)
    answer = Contribution(prompt_id=first.id, participant_id=participant.id, text="Tidlig svar")
    db.session.add(answer)
    db.session.commit()
    client.post(_url(group, f"/prompts/{second.id}/push"))

    page = client.get(_url(group) + f"?prompt_id={first.id}")
    assert "Answers to an earlier prompt" in page.text
    assert "Tidlig svar" in page.text
    response = client.post(_url(group, f"/contributions/{answer.id}/hide"), data={"value": "1", "prompt_id": first.id})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"?prompt_id={first.id}")


def test_follow_up_is_stored_in_the_sessions_language(client, db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE, languages=["nn", "en"])
    client.post(_url(group, "/follow-up"), data={"text": "Kvifor?", "kind": "open"})
    db.session.expire_all()
    follow_up = db.session.get(FocusGroup, group.id).current_prompt
    assert follow_up.text == {"nn": "Kvifor?"}
