"""Moderation: the queue (each hold reason, flags), bulk decisions, the append-only log, statements, roles."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from civic.accounts.models import Role
from civic.core.errors import InvalidInputError, NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.hearings import moderation
from civic.hearings.models import (
    CommentState,
    Flag,
    FlagReason,
    FormalStatement,
    ModerationDecision,
    ModerationMode,
    StatementState,
)


@pytest.fixture
def moderator(create_staff):
    return create_staff(Role.MODERATOR)


@pytest.fixture
def hearing(create_hearing):
    return create_hearing()


@pytest.fixture
def person(hearing, create_participant):
    return create_participant(hearing)[0]


def _url(hearing, suffix: str = "moderation") -> str:
    return f"/manage/hearings/{hearing.consultation_id}/{suffix}"


def _flag(db, comment, participant, reason=FlagReason.OFFENSIVE, note=""):
    flag = Flag(comment_id=comment.id, participant_id=participant.id, reason=reason, note=note)
    db.session.add(flag)
    db.session.commit()
    return flag


def _decisions(db, hearing) -> list[ModerationDecision]:
    return list(
        db.session.scalars(
            select(ModerationDecision)
            .where(ModerationDecision.hearing_id == hearing.id)
            .order_by(ModerationDecision.id)
        )
    )


# --- the queue ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["personal_data", "link", "repeat", "burst"])
def test_comments_held_by_screening_are_in_the_queue_with_their_reason(
    db, hearing, person, create_comment, reason
) -> None:
    held = create_comment(hearing, person, "Held text", state=CommentState.PENDING, hold_reasons=[reason])
    create_comment(hearing, person, "Published, unflagged")
    queue = moderation.comment_queue(db.session, hearing)
    assert [(item.comment.id, item.reasons) for item in queue.items] == [(held.id, [reason])]
    assert queue.reason_counts[reason] == 1


def test_pre_moderation_flagged_and_imported_reasons(db, create_hearing, create_participant, create_comment) -> None:
    pre = create_hearing(moderation_mode=ModerationMode.PRE)
    author, _key = create_participant(pre)
    flagger, _key = create_participant(pre)
    waiting = create_comment(pre, author, "Venter", state=CommentState.PENDING)
    published = create_comment(pre, author, "Publisert og flagget")
    _flag(db, published, flagger, FlagReason.SPAM)
    _flag(db, published, author, FlagReason.OFFENSIVE, note="Stygg tone")
    imported = create_comment(pre, author, "Fra Polis", state=CommentState.PENDING, hold_reasons=["polis_unmoderated"])
    create_comment(pre, author, "Skjult", state=CommentState.HIDDEN)
    items = {item.comment.id: item for item in moderation.comment_queue(db.session, pre).items}
    assert items.keys() == {waiting.id, published.id, imported.id}
    assert items[waiting.id].reasons == ["pre_moderation"]
    assert items[published.id].reasons == ["flagged"]
    assert items[published.id].flags == {"spam": 1, "offensive": 1}
    assert items[published.id].flag_notes == ["Stygg tone"]
    assert items[imported.id].reasons == ["polis_unmoderated"]


def test_queue_page_shows_reasons_in_words_and_filters(
    client, auth, english_ui, moderator, hearing, person, create_comment, db
) -> None:
    link = create_comment(hearing, person, "Se www.example.no", state=CommentState.PENDING, hold_reasons=["link"])
    personal = create_comment(
        hearing, person, "Ring 912 34 567", state=CommentState.PENDING, hold_reasons=["personal_data"]
    )
    flagged = create_comment(hearing, person, "Flagget kommentar")
    _flag(db, flagged, person, FlagReason.OFF_TOPIC)
    auth.login(moderator)
    page = client.get(_url(hearing)).get_data(as_text=True)
    assert "Contains a link" in page
    assert "May contain personal data" in page
    assert "Flagged by residents" in page
    assert "Off topic: 1" in page
    assert all(f'value="{c.id}"' in page for c in (link, personal, flagged))
    filtered = client.get(_url(hearing) + "?filter=link").get_data(as_text=True)
    assert f'value="{link.id}"' in filtered
    assert f'value="{personal.id}"' not in filtered
    assert f'value="{flagged.id}"' not in filtered


# --- decisions ---------------------------------------------------------------------------------------------


def test_bulk_publish_logs_each_decision_and_resolves_flags(
    client, auth, moderator, hearing, person, create_comment, db
) -> None:
    a = create_comment(hearing, person, "A", state=CommentState.PENDING, hold_reasons=["link"])
    b = create_comment(hearing, person, "B")
    flag = _flag(db, b, person)
    auth.login(moderator)
    response = client.post(
        _url(hearing), data={"comment_id": [str(a.id), str(b.id)], "action": "publish", "reason": "Ok"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (a.state, b.state) == (CommentState.PUBLISHED, CommentState.PUBLISHED)
    assert db.session.get(Flag, flag.id).resolved_at is not None
    log = _decisions(db, hearing)
    assert [(d.comment_id, d.action, d.from_state, d.to_state, d.reason, d.actor_id) for d in log] == [
        (a.id, "publish", "pending", "published", "Ok", moderator.id),
        (b.id, "publish", "published", "published", "Ok", moderator.id),
    ]
    assert moderation.comment_queue(db.session, hearing).items == []


def test_hide_then_restore_and_hidden_leaves_the_analysis(
    client, htmx_client, auth, moderator, hearing, person, create_comment, db
) -> None:
    a = create_comment(hearing, person, "A")
    b = create_comment(hearing, person, "B")
    auth.login(moderator)
    response = htmx_client.post(_url(hearing), data={"comment_id": [str(a.id), str(b.id)], "action": "hide"})
    assert response.status_code == 200
    assert 'id="moderation-queue"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    assert moderation.visible_for_analysis(db.session, hearing.id) == []
    hidden_page = client.get(_url(hearing) + "?filter=hidden").get_data(as_text=True)
    assert f'value="{a.id}"' in hidden_page
    assert 'value="restore"' in hidden_page
    response = client.post(_url(hearing), data={"comment_id": str(a.id), "action": "restore", "filter": "hidden"})
    assert response.status_code == 303
    assert "filter=hidden" in response.headers["Location"]
    assert [c.id for c in moderation.visible_for_analysis(db.session, hearing.id)] == [a.id]
    assert [(d.action, d.from_state, d.to_state) for d in _decisions(db, hearing)] == [
        ("hide", "published", "hidden"),
        ("hide", "published", "hidden"),
        ("restore", "hidden", "published"),
    ]


def test_action_in_the_wrong_state_changes_nothing(client, auth, moderator, hearing, person, create_comment, db):
    hidden = create_comment(hearing, person, "H", state=CommentState.HIDDEN)
    pending = create_comment(hearing, person, "P", state=CommentState.PENDING)
    auth.login(moderator)
    response = client.post(
        _url(hearing), data={"comment_id": [str(hidden.id), str(pending.id)], "action": "restore", "reason": "Typed"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="Typed"' in page
    assert f'value="{pending.id}" id="select-{pending.id}" checked' in page
    db.session.expire_all()
    assert (hidden.state, pending.state) == (CommentState.HIDDEN, CommentState.PENDING)
    assert _decisions(db, hearing) == []


def test_bad_bulk_input(client, auth, moderator, hearing, person, create_comment, create_hearing, db) -> None:
    other = create_hearing()
    foreign = create_comment(other, person, "Other hearing", section_id=other.sections[0].id)
    mine = create_comment(hearing, person, "Mine", state=CommentState.PENDING)
    auth.login(moderator)
    assert client.post(_url(hearing), data={"action": "publish"}).status_code == 422
    assert client.post(_url(hearing), data={"comment_id": str(mine.id), "action": "delete"}).status_code == 422
    assert client.post(_url(hearing), data={"comment_id": "x", "action": "publish"}).status_code == 422
    response = client.post(_url(hearing), data={"comment_id": [str(mine.id), str(foreign.id)], "action": "hide"})
    assert response.status_code == 422
    long_reason = client.post(_url(hearing), data={"comment_id": str(mine.id), "action": "hide", "reason": "x" * 501})
    assert long_reason.status_code == 422
    db.session.expire_all()
    assert mine.state == CommentState.PENDING
    assert foreign.state == CommentState.PUBLISHED
    assert _decisions(db, hearing) == []


def test_service_checks_the_actor(db, hearing, person, create_comment, create_staff) -> None:
    comment = create_comment(hearing, person, "A", state=CommentState.PENDING)
    viewer = create_staff(Role.VIEWER)
    with pytest.raises(NotAllowedError):
        moderation.decide(db.session, viewer, hearing, [comment.id], "publish")
    with pytest.raises(InvalidInputError):
        moderation.decide(db.session, create_staff(Role.MODERATOR), hearing, [], "publish")


def test_log_is_append_only(db, moderator, hearing, person, create_comment) -> None:
    """The service only ever INSERTs decision rows, and the ORM refuses to update or delete them."""
    comment = create_comment(hearing, person, "A", state=CommentState.PENDING)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        moderation.decide(db.session, moderator, hearing, [comment.id], "hide", "one")
        moderation.decide(db.session, moderator, hearing, [comment.id], "restore", "two")
        moderation.decide(db.session, moderator, hearing, [comment.id], "hide", "three")
        db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    touching = [s for s in statements if "hearing_moderation_decisions" in s]
    assert touching
    assert all(s.lstrip().upper().startswith(("INSERT", "SELECT")) for s in touching), touching
    first, *_rest = _decisions(db, hearing)
    assert [d.reason for d in _decisions(db, hearing)] == ["one", "two", "three"]
    first.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_decisions(db, hearing)[0])
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert len(_decisions(db, hearing)) == 3


def test_log_page_newest_first_with_actor_names(client, auth, moderator, create_staff, hearing, person, create_comment):
    comment = create_comment(hearing, person, "Loggført kommentar", state=CommentState.PENDING)
    admin = create_staff(Role.ADMIN)
    auth.login(moderator)
    client.post(_url(hearing), data={"comment_id": str(comment.id), "action": "publish", "reason": "grunn-en"})
    auth.logout()
    auth.login(admin)
    client.post(_url(hearing), data={"comment_id": str(comment.id), "action": "hide", "reason": "grunn-to"})
    page = client.get(_url(hearing, "moderation/log")).get_data(as_text=True)
    assert page.index("grunn-to") < page.index("grunn-en")
    assert "Test admin" in page
    assert "Test moderator" in page
    assert "Loggført kommentar" in page


# --- formal statements -------------------------------------------------------------------------------------


def _statement(db, hearing, name="Kari Nordmann") -> FormalStatement:
    statement = FormalStatement(hearing_id=hearing.id, signer_name=name, body="Vi støtter forslaget.")
    db.session.add(statement)
    db.session.commit()
    return statement


def test_statements_publish_and_reject(client, auth, moderator, hearing, db, create_hearing) -> None:
    first = _statement(db, hearing)
    second = _statement(db, hearing, "Velforeningen")
    auth.login(moderator)
    page = client.get(_url(hearing, "statements")).get_data(as_text=True)
    assert "Kari Nordmann" in page
    assert "Velforeningen" in page
    assert client.post(_url(hearing, f"statements/{first.id}"), data={"action": "publish"}).status_code == 303
    response = client.post(_url(hearing, f"statements/{second.id}"), data={"action": "reject", "reason": "Usaklig"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (first.state, second.state) == (StatementState.PUBLISHED, StatementState.REJECTED)
    assert first.decided_at is not None
    log = _decisions(db, hearing)
    assert [(d.statement_id, d.action, d.from_state, d.to_state) for d in log] == [
        (first.id, "publish", "pending", "published"),
        (second.id, "reject", "pending", "rejected"),
    ]
    again = client.post(_url(hearing, f"statements/{first.id}"), data={"action": "publish"})
    assert again.status_code == 409
    assert client.post(_url(hearing, f"statements/{first.id}"), data={"action": "x"}).status_code == 422
    other = _statement(db, create_hearing())
    assert client.post(_url(hearing, f"statements/{other.id}"), data={"action": "publish"}).status_code == 404
    with pytest.raises(StateError):
        moderation.decide_statement(db.session, moderator, second, "reject")


def test_statement_attachment_for_review(client, auth, moderator, hearing, db) -> None:
    statement = _statement(db, hearing)
    auth.login(moderator)
    assert client.get(_url(hearing, f"statements/{statement.id}/attachment")).status_code == 404
    statement.attachment_data = b"%PDF-1.4 test"
    statement.attachment_filename = "uttalelse.pdf"
    db.session.commit()
    response = client.get(_url(hearing, f"statements/{statement.id}/attachment"))
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4 test"
    assert response.headers["Content-Disposition"].startswith("attachment")


# --- roles and organisations -------------------------------------------------------------------------------


def test_viewer_may_look_but_not_act(client, auth, create_staff, hearing, person, create_comment, db) -> None:
    comment = create_comment(hearing, person, "Venter", state=CommentState.PENDING)
    statement = _statement(db, hearing)
    auth.login(create_staff(Role.VIEWER))
    page = client.get(_url(hearing))
    assert page.status_code == 200
    assert "Venter" in page.get_data(as_text=True)
    assert 'name="comment_id"' not in page.get_data(as_text=True)
    assert client.get(_url(hearing, "moderation/log")).status_code == 200
    assert client.get(_url(hearing, "statements")).status_code == 200
    assert client.post(_url(hearing), data={"comment_id": str(comment.id), "action": "publish"}).status_code == 403
    assert client.post(_url(hearing, f"statements/{statement.id}"), data={"action": "publish"}).status_code == 403
    db.session.expire_all()
    assert comment.state == CommentState.PENDING
    assert statement.state == StatementState.PENDING


def test_other_organisation_gets_404(
    client, auth, create_staff, create_organisation, hearing, person, create_comment, db
):
    comment = create_comment(hearing, person, "Venter", state=CommentState.PENDING)
    statement = _statement(db, hearing)
    stranger = create_staff(Role.ADMIN, email="admin@alna.example", org=create_organisation(slug="alna", name="Alna"))
    auth.login(stranger)
    for path in ("moderation", "moderation/log", "statements", f"statements/{statement.id}/attachment"):
        assert client.get(_url(hearing, path)).status_code == 404, path
    assert client.post(_url(hearing), data={"comment_id": str(comment.id), "action": "publish"}).status_code == 404
    assert client.post(_url(hearing, f"statements/{statement.id}"), data={"action": "publish"}).status_code == 404
    db.session.expire_all()
    assert comment.state == CommentState.PENDING


def test_a_consultation_that_is_not_a_hearing_is_404(client, auth, moderator, create_survey) -> None:
    survey = create_survey()
    auth.login(moderator)
    assert client.get(f"/manage/hearings/{survey.consultation_id}/moderation").status_code == 404


def test_visible_for_analysis_is_published_only(db, hearing, person, create_comment) -> None:
    published = create_comment(hearing, person, "P")
    for state in (CommentState.PENDING, CommentState.HIDDEN, CommentState.DELETED):
        create_comment(hearing, person, str(state), state=state, deleted_at=now_utc() if state == "deleted" else None)
    assert [c.id for c in moderation.visible_for_analysis(db.session, hearing.id)] == [published.id]
