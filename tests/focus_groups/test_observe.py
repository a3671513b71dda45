"""Observers: the staff read-only page and the tokened public link (no login, no actions, no hidden answers)."""

from __future__ import annotations

import re

import pytest

from civic.accounts.models import Role
from civic.focus_groups.models import Contribution, FocusGroup, PromptKind, SessionState

GUIDE = [(PromptKind.OPEN, "Hva er viktigst?")]


def _live_group_with_answers(db, create_focus_group, create_fg_participant) -> FocusGroup:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    prompt = group.prompts[0]
    prompt.state = "open"
    group.current_prompt_id = prompt.id
    visible, _key = create_fg_participant(group, pseudonym="Deltaker 1111")
    rude, _key = create_fg_participant(group, pseudonym="Deltaker 2222")
    db.session.add_all(
        [
            Contribution(prompt_id=prompt.id, participant_id=visible.id, text="Trygg skolevei"),
            Contribution(prompt_id=prompt.id, participant_id=rude.id, text="Skjult tekst", is_hidden=True),
        ]
    )
    db.session.commit()
    return group


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MODERATOR])
def test_staff_observer_page_is_read_only(
    client, auth, db, create_staff, create_focus_group, create_fg_participant, role
) -> None:
    group = _live_group_with_answers(db, create_focus_group, create_fg_participant)
    auth.login(create_staff(role))

    page = client.get(f"/manage/focus-groups/{group.consultation_id}/observe")
    panels = client.get(f"/manage/focus-groups/{group.consultation_id}/observe/panels", headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert panels.status_code == 200
    for text in (page.text, panels.text):
        assert "Trygg skolevei" in text
        assert "Deltaker 1111" in text
        assert "Skjult tekst" not in text
        assert "<form" not in text.split('id="live-panels"')[1]
    assert 'hx-trigger="every 3s"' in panels.text


def test_planner_makes_and_revokes_the_public_link(
    client, auth, db, create_staff, create_focus_group, create_fg_participant
) -> None:
    group = _live_group_with_answers(db, create_focus_group, create_fg_participant)
    auth.login(create_staff(Role.PLANNER))
    console = f"/manage/focus-groups/{group.consultation_id}/console"

    page = client.post(f"{console}/observer-link")
    assert page.status_code == 200
    assert "shown only once" in page.text
    link = re.search(r'value="(http[^"]+/f/observe/[^"]+)"', page.text).group(1)
    path = link.split("localhost", 1)[1]
    client.post("/manage/logout")

    public = client.get(path)
    assert public.status_code == 200
    assert "Trygg skolevei" in public.text
    assert "Skjult tekst" not in public.text
    assert "Deltaker 1111" not in public.text
    assert "<form" not in public.text.split('id="live-panels"')[1]
    assert public.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"{path}/panels").status_code == 200

    auth.login(create_staff(Role.ADMIN, email="admin@bjerke.example"))
    assert client.post(f"{console}/observer-link/revoke").status_code == 303
    assert client.get(path).status_code == 404
    assert client.get(f"{path}/panels").status_code == 404


def test_unknown_or_silly_tokens_are_404(client, db) -> None:
    assert client.get("/f/observe/nope").status_code == 404
    assert client.get("/f/observe/" + "x" * 500).status_code == 404


def test_moderator_cannot_make_observer_links(client, auth, db, create_staff, create_focus_group) -> None:
    group = create_focus_group()
    auth.login(create_staff(Role.MODERATOR))
    page = client.get(f"/manage/focus-groups/{group.consultation_id}/console")
    assert "Make an observer link" not in page.text
    assert client.post(f"/manage/focus-groups/{group.consultation_id}/console/observer-link").status_code == 403


def test_pending_prompts_are_never_shown_to_observers(client, auth, db, create_staff, create_focus_group) -> None:
    group = create_focus_group(prompts=[(PromptKind.OPEN, "Først"), (PromptKind.OPEN, "Hemmelig neste spørsmål")])
    auth.login(create_staff(Role.VIEWER))
    pending = group.prompts[1]
    page = client.get(f"/manage/focus-groups/{group.consultation_id}/observe/panels?prompt_id={pending.id}")
    assert page.status_code == 200
    assert "Hemmelig neste spørsmål" not in page.text
