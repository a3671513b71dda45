"""A personal invitation link joins a hearing as an invited participant, through /h/p/<token> or /p/<token>."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.extensions import db as _db
from civic.hearings.models import Comment, Participant
from civic.hearings.views.common import cookie_name
from civic.outreach.links import issue_link
from civic.outreach.models import Invitation

pytestmark = pytest.mark.usefixtures("english_ui")


def invite(db, hearing, **segment) -> tuple[Invitation, str]:
    invitation = Invitation(consultation_id=hearing.consultation_id, **segment)
    db.session.add(invitation)
    db.session.flush()
    token = issue_link(db.session, invitation.id)
    db.session.commit()
    return invitation, token


def participants() -> list[Participant]:
    return list(_db.session.scalars(select(Participant)))


def test_link_joins_as_invited_participant_and_first_comment_marks_responded(client, create_hearing, db):
    hearing = create_hearing(access=Access.INVITED)
    invitation, token = invite(db, hearing, age_band="30-44", district="Årvoll", household_type="family")
    response = client.get(f"/h/p/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/h/{hearing.consultation.public_id}"
    assert cookie_name(hearing) in response.headers["Set-Cookie"]
    [participant] = participants()
    assert participant.invited
    assert (participant.age_band, participant.district, participant.household_type) == ("30-44", "Årvoll", "family")
    db.session.refresh(invitation)
    assert invitation.opened_at is not None
    assert invitation.responded_at is None
    assert invitation.opened_at.hour == 0
    assert invitation.opened_at.minute == 0

    page = client.get(response.headers["Location"]).text
    assert "Only invited residents" not in page
    assert 'name="body"' in page
    response = client.post(
        f"/h/{hearing.consultation.public_id}/comments",
        data={"section_id": hearing.sections[0].id, "body": "Som invitert mener jeg dette.", "accept_rules": "1"},
    )
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers or cookie_name(hearing) not in response.headers["Set-Cookie"]
    db.session.refresh(invitation)
    assert invitation.responded_at is not None
    comment = db.session.scalar(select(Comment))
    assert comment.participant_id == participant.id


def test_second_visit_finds_the_same_participant(app, create_hearing, db):
    hearing = create_hearing()
    _invitation, token = invite(db, hearing)
    first, second = app.test_client(), app.test_client()  # e.g. the same link on a phone and on a laptop
    assert first.get(f"/h/p/{token}").status_code == 303
    assert second.get(f"/h/p/{token}").status_code == 303
    assert len(participants()) == 1
    first.post(f"/h/{hearing.consultation.public_id}/comments", data={"body": "Fra mobilen.", "accept_rules": "1"})
    second.post(f"/h/{hearing.consultation.public_id}/comments", data={"body": "Fra PC-en."})  # rules remembered
    assert db.session.scalar(select(func.count(func.distinct(Comment.participant_id)))) == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 2


def test_survey_personal_link_of_a_hearing_redirects_to_join(client, create_hearing, db):
    hearing = create_hearing()
    _invitation, token = invite(db, hearing)
    response = client.get(f"/p/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/h/p/{token}"
    assert client.get(f"/p/{token}", follow_redirects=True).request.path == f"/h/{hearing.consultation.public_id}"
    assert len(participants()) == 1


def test_unknown_or_not_yet_open_link_is_404_with_a_message(client, create_hearing, db):
    response = client.get("/h/p/not-a-real-token")
    assert response.status_code == 404
    assert "This personal link is not valid" in response.text
    assert "Set-Cookie" not in response.headers or "civic_hearing" not in response.headers["Set-Cookie"]
    draft = create_hearing(state=ConsultationState.SCHEDULED)
    invitation, token = invite(db, draft)
    response = client.get(f"/h/p/{token}")
    assert response.status_code == 404
    assert "not open yet" in response.text
    db.session.refresh(invitation)
    assert invitation.opened_at is None
    assert participants() == []
