"""The resident side over HTTP: joining, the stage, /live polling, answers and votes, bad input."""

from __future__ import annotations

from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.focus_groups import live
from civic.focus_groups.models import (
    Contribution,
    ContributionVote,
    FocusGroupMode,
    FocusGroupParticipant,
    PromptKind,
    SessionState,
)
from civic.focus_groups.participation import COOKIE_SALT, cookie_name

GUIDE = [
    (PromptKind.OPEN, "Hva synes du om bilfrie gater?"),
    (PromptKind.SINGLE_CHOICE, "Hvilken skole?", ["Årvoll", "Linderen", "Tonsenhagen"]),
    (PromptKind.MULTIPLE_CHOICE, "Hvilke tiltak?", ["Fartshumper", "Gatetun", "Sykkelfelt"]),
    (PromptKind.RANKING, "Ranger tiltakene", ["Trygghet", "Luft", "Støy"]),
    (PromptKind.STATEMENTS, "Hva mener du?", ["Foreldre bør gå", "Busser bør få kjøre"]),
]


def _as(app, client, group, key):
    value = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT).dumps(key)
    client.set_cookie(cookie_name(group.consultation.public_id), value)


def _start_and_push(db, group, index=0):
    if group.state == SessionState.SCHEDULED:
        live.start_session(db.session, group, actor=None)
    live.push_prompt(db.session, group, group.prompts[index], actor=None)
    db.session.commit()


def _url(group, suffix=""):
    return f"/f/{group.consultation.public_id}{suffix}"


def test_public_group_landing_and_take_part(client, db, create_focus_group):
    group = create_focus_group()
    page = client.get(_url(group))
    assert page.status_code == 200
    assert b"Take part" in page.data
    joined = client.post(_url(group, "/join"))
    assert joined.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(FocusGroupParticipant)) == 1
    stage = client.get(_url(group))
    assert b"Waiting room" in stage.data
    assert b'hx-trigger="every 1s"' in stage.data
    assert b"Check for the next question" in stage.data
    # Taking part again with the same cookie: the same seat.
    client.post(_url(group, "/join"))
    assert db.session.scalar(select(func.count()).select_from(FocusGroupParticipant)) == 1


def test_invited_only_group_explains_the_personal_link(client, db, create_focus_group):
    group = create_focus_group(access=Access.INVITED)
    page = client.get(_url(group))
    assert b"personal link" in page.data
    refused = client.post(_url(group, "/join"))
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(FocusGroupParticipant)) == 0


def test_draft_group_is_not_found(client, create_focus_group):
    group = create_focus_group(state=ConsultationState.DRAFT)
    assert client.get(_url(group)).status_code == 404


def test_full_session_refuses_newcomer_but_not_rejoin(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(capacity=2)
    create_fg_participant(group)
    _participant, key = create_fg_participant(group)
    full = client.post(_url(group, "/join"))
    assert full.status_code == 409
    assert b"This session is full" in full.data
    assert db.session.scalar(select(func.count()).select_from(FocusGroupParticipant)) == 2
    _as(app, client, group, key)
    assert client.post(_url(group, "/join")).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(FocusGroupParticipant)) == 2


def test_live_is_204_until_the_version_changes(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    _participant, key = create_fg_participant(group)
    _as(app, client, group, key)
    version = group.version
    unchanged = client.get(_url(group, f"/live?v={version}"), headers={"HX-Request": "true"})
    assert unchanged.status_code == 204
    assert unchanged.data == b""
    _start_and_push(db, group)
    changed = client.get(_url(group, f"/live?v={version}"), headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert f"/live?v={group.version}".encode() in changed.data
    assert b"Hva synes du om bilfrie gater?" in changed.data
    assert b'name="text"' in changed.data
    assert client.get(_url(group, f"/live?v={group.version}")).status_code == 204


def test_live_without_participant_or_unknown_group(client, create_focus_group):
    group = create_focus_group()
    assert client.get(_url(group, "/live?v=0")).status_code == 403
    assert client.get("/f/nope/live?v=0").status_code == 404
    assert client.get(_url(group, "/live?v=abc")).status_code == 403


def test_every_prompt_kind_answers_and_edits(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    participant, key = create_fg_participant(group)
    _as(app, client, group, key)
    forms = [
        {"text": "Flott idé"},
        {"choice": "1"},
        {"choices": ["0", "2"]},
        {"rank-0": "2", "rank-1": "1", "rank-2": "3"},
        {"vote-0": "agree", "vote-1": "pass"},
    ]
    expected = [[], [1], [0, 2], [1, 0, 2], [1, 0]]
    for index, form in enumerate(forms):
        _start_and_push(db, group, index)
        prompt = group.prompts[index]
        page = client.get(_url(group))
        assert page.status_code == 200
        response = client.post(_url(group, f"/prompts/{prompt.id}/answer"), data=form)
        assert response.status_code == 303, response.data
        row = db.session.scalar(select(Contribution).where(Contribution.prompt_id == prompt.id))
        assert row.choices == expected[index]
    # Editing the open answer while open: the same row.
    db.session.expire_all()
    last = group.prompts[-1]
    client.post(_url(group, f"/prompts/{last.id}/answer"), data={"vote-0": "disagree", "vote-1": "agree"})
    rows = db.session.scalars(select(Contribution).where(Contribution.prompt_id == last.id)).all()
    assert len(rows) == 1
    assert rows[0].choices == [-1, 1]
    assert participant.id == rows[0].participant_id


def test_invalid_answers_are_422_and_keep_what_was_typed(
    app, htmx_client, db, create_focus_group, create_fg_participant
):
    group = create_focus_group(prompts=GUIDE)
    _participant, key = create_fg_participant(group)
    _as(app, htmx_client, group, key)
    _start_and_push(db, group, 0)
    prompt = group.prompts[0]
    empty = htmx_client.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "   "})
    assert empty.status_code == 422
    assert b"Write your answer" in empty.data
    too_long = htmx_client.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "x" * 1001 + "kept"})
    assert too_long.status_code == 422
    assert b"kept</textarea>" in too_long.data
    _start_and_push(db, group, 3)
    ranking = group.prompts[3]
    clash = htmx_client.post(
        _url(group, f"/prompts/{ranking.id}/answer"), data={"rank-0": "1", "rank-1": "1", "rank-2": "3"}
    )
    assert clash.status_code == 422
    assert b"one option only" in clash.data
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_answer_after_close_is_409_and_keeps_text(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    _participant, key = create_fg_participant(group)
    _as(app, client, group, key)
    _start_and_push(db, group, 0)
    prompt = group.prompts[0]
    live.close_prompt(db.session, group, prompt, actor=None)
    db.session.commit()
    late = client.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "Min sene tanke"})
    assert late.status_code == 409
    assert b"has closed" in late.data
    assert b"Min sene tanke</textarea>" in late.data
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0
    live.finish_session(db.session, group, actor=None)
    db.session.commit()
    finished = client.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "Etterpå"})
    assert finished.status_code == 409
    assert b"Etterp" in finished.data
    assert b"Thank you for taking part" in client.get(_url(group)).data


def test_answer_without_seat_or_foreign_prompt(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    other = create_focus_group(prompts=GUIDE)
    _start_and_push(db, group, 0)
    assert client.post(_url(group, f"/prompts/{group.prompts[0].id}/answer"), data={"text": "x"}).status_code == 403
    _participant, key = create_fg_participant(group)
    _as(app, client, group, key)
    assert client.post(_url(group, f"/prompts/{other.prompts[0].id}/answer"), data={"text": "x"}).status_code == 404
    client.set_cookie(cookie_name(group.consultation.public_id), "forged")
    assert client.post(_url(group, f"/prompts/{group.prompts[0].id}/answer"), data={"text": "x"}).status_code == 403


def test_two_tabs_are_one_participant(app, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    _participant, key = create_fg_participant(group)
    _start_and_push(db, group, 0)
    prompt = group.prompts[0]
    tabs = [app.test_client(), app.test_client()]
    for number, tab in enumerate(tabs):
        _as(app, tab, group, key)
        assert tab.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": f"Tab {number}"}).status_code == 303
    rows = db.session.scalars(select(Contribution)).all()
    assert [row.text for row in rows] == ["Tab 1"]
    # Rejoining (a reload after a lost connection) shows where the session is, with one's own answer.
    page = tabs[0].get(_url(group)).data.decode()
    assert "Tab 1</textarea>" in page
    assert "Your answer is saved" in page


def test_vote_sample_and_votes(app, client, htmx_client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    _start_and_push(db, group, 0)
    prompt = group.prompts[0]
    others = []
    for number in range(7):
        other, other_key = create_fg_participant(group)
        tab = app.test_client()
        _as(app, tab, group, other_key)
        tab.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": f"Svar {number}"})
        others.append(other)
    _me, key = create_fg_participant(group)
    _as(app, client, group, key)
    before = client.get(_url(group))
    assert b"others' answers" not in before.data  # votes come after one's own answer
    client.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "Mitt svar"})
    page = client.get(_url(group)).data.decode()
    assert page.count('class="fg-vote-item"') == 5
    assert "Mitt svar</p></blockquote>" not in page
    target = db.session.scalar(select(Contribution).where(Contribution.text == "Svar 0"))
    vote_url = _url(group, f"/contributions/{target.id}/vote")
    response = htmx_client.post(vote_url, data={"value": "agree"})
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.data
    htmx_client.post(vote_url, data={"value": "disagree"})
    htmx_client.post(vote_url, data={"value": "disagree"})
    db.session.refresh(target)
    assert (target.agree_count, target.disagree_count, target.pass_count) == (0, 1, 0)
    assert db.session.scalar(select(func.count()).select_from(ContributionVote)) == 1
    assert htmx_client.post(vote_url, data={"value": "maybe"}).status_code == 422
    mine = db.session.scalar(select(Contribution).where(Contribution.text == "Mitt svar"))
    assert client.post(_url(group, f"/contributions/{mine.id}/vote"), data={"value": "agree"}).status_code == 303
    db.session.refresh(mine)
    assert mine.agree_count == 0  # one's own answer: refused (flashed), nothing counted
    assert client.post(_url(group, "/contributions/999999/vote"), data={"value": "agree"}).status_code == 303
    live.close_prompt(db.session, group, prompt, actor=None)
    db.session.commit()
    closed = htmx_client.post(vote_url, data={"value": "agree"})
    assert closed.status_code == 409


def test_hidden_answers_are_not_sampled_and_results_shared(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(prompts=GUIDE)
    _start_and_push(db, group, 0)
    prompt = group.prompts[0]
    _other, other_key = create_fg_participant(group)
    tab = app.test_client()
    _as(app, tab, group, other_key)
    tab.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "Skjult svar"})
    hidden = db.session.scalar(select(Contribution))
    live.set_hidden(db.session, group, hidden, True, actor=None)
    db.session.commit()
    _me, key = create_fg_participant(group)
    _as(app, client, group, key)
    client.post(_url(group, f"/prompts/{prompt.id}/answer"), data={"text": "Synlig svar"})
    page = client.get(_url(group)).data.decode()
    assert "Skjult svar" not in page
    assert "No one else has answered yet" in page
    live.close_prompt(db.session, group, prompt, actor=None)
    live.share_results(db.session, group, prompt, actor=None)
    db.session.commit()
    shared = client.get(_url(group)).data.decode()
    assert "Results" in shared
    assert "Synlig svar" in shared
    assert "Skjult svar" not in shared


def test_async_guide_in_order_with_progress(app, client, db, create_focus_group, create_fg_participant):
    group = create_focus_group(mode=FocusGroupMode.ASYNC, prompts=GUIDE[1:3])
    _participant, key = create_fg_participant(group)
    _as(app, client, group, key)
    first, second = group.prompts
    page = client.get(_url(group)).data.decode()
    assert "Question 1 of 2" in page
    assert "Hvilken skole?" in page
    assert "every 1s" not in page  # nothing to wait for
    saved = client.post(_url(group, f"/prompts/{first.id}/answer"), data={"choice": "0"})
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).data.decode()
    assert "Question 2 of 2" in page
    assert "Hvilke tiltak?" in page
    client.post(_url(group, f"/prompts/{second.id}/answer"), data={"choices": ["1"]})
    done = client.get(_url(group)).data.decode()
    assert "answered every question" in done
    back = client.get(_url(group, f"?step={first.id}")).data.decode()
    assert "Question 1 of 2" in back
    assert "checked" in back


def test_personal_link_joins_once(app, client, db, create_focus_group):
    from civic.outreach.links import issue_link
    from civic.outreach.models import Invitation

    group = create_focus_group(access=Access.INVITED)
    invitation = Invitation(consultation_id=group.consultation_id, age_band="30-39", district="Bjerke")
    db.session.add(invitation)
    db.session.flush()
    token = issue_link(db.session, invitation.id)
    db.session.commit()
    first = client.get(f"/f/join/{token}")
    assert first.status_code == 303
    assert first.headers["Location"].endswith(_url(group))
    again = app.test_client().get(f"/f/join/{token}")  # another browser, same link
    assert again.status_code == 303
    participants = db.session.scalars(select(FocusGroupParticipant)).all()
    assert len(participants) == 1
    assert participants[0].invited
    assert participants[0].district == "Bjerke"
    assert b"Waiting room" in client.get(_url(group)).data
    assert client.get("/f/join/not-a-token").status_code == 404


def test_unchanged_poll_is_one_query_and_sets_no_cookie(app, client, db, create_focus_group, create_fg_participant):
    from sqlalchemy import event

    group = create_focus_group()
    _participant, key = create_fg_participant(group)
    _as(app, client, group, key)
    client.get(_url(group, f"/live?v={group.version}"))  # may write last_seen_at once
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(_url(group, f"/live?v={group.version}"), headers={"HX-Request": "true"})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("SELECT")


def test_prompt_form_renders_as_a_read_only_preview(app, create_focus_group):
    """The guide builder may include the partial with only ``prompt`` (no action): disabled inputs, no button."""
    from flask import render_template

    group = create_focus_group(prompts=GUIDE)
    with app.test_request_context("/"):
        for prompt in group.prompts:
            html = render_template("focus_groups/_partials/prompt_form.html", prompt=prompt)
            assert "disabled" in html
            assert 'type="submit"' not in html
