"""Residents' permission matrix: every phase × access × kind of participant, for reading, commenting and voting.

Draft and scheduled hearings do not exist for residents (404). Open hearings take contributions: public ones
from anyone (a participant cookie is made on the first post), invited-only ones only from participants who
came through a personal link (403 for others). Closed hearings and those with published results are read-only
(409 on posts, with a message).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.hearings.models import Comment, VoteEvent
from civic.hearings.participants import get_or_create_participant, link_participant_key
from civic.outreach.links import issue_link
from civic.outreach.models import Invitation

S = ConsultationState
PHASES = tuple(ConsultationState)
WHO = ("anonymous", "cookie", "link")


def _expected(phase: ConsultationState, access: Access, who: str, action: str) -> int:
    if phase in (S.DRAFT, S.SCHEDULED):
        return 404
    if action == "read":
        return 200
    if phase != S.OPEN:
        return 409
    if access == Access.INVITED and who != "link":
        return 403
    return 303


@pytest.mark.parametrize("phase", PHASES, ids=[p.value for p in PHASES])
@pytest.mark.parametrize("access", tuple(Access), ids=[a.value for a in Access])
@pytest.mark.parametrize("who", WHO)
def test_resident_matrix(
    app, db, client, create_hearing, create_participant, create_comment, as_participant, phase, access, who
):
    hearing = create_hearing(state=S.OPEN, access=access)
    author, _key = create_participant(hearing)
    comment = create_comment(hearing, author, "Gatene trenger flere sykkelstativ.")
    public_id = hearing.consultation.public_id
    if who == "cookie":
        _participant, key = create_participant(hearing)
        as_participant(client, hearing, key)
    elif who == "link":
        invitation = Invitation(consultation_id=hearing.consultation_id)
        db.session.add(invitation)
        db.session.flush()
        token = issue_link(db.session, invitation.id)
        key = link_participant_key(token)
        get_or_create_participant(db.session, hearing, key, invited=True)
        as_participant(client, hearing, key)
    hearing.consultation.state = phase
    db.session.commit()
    comments_before = db.session.scalar(select(func.count()).select_from(Comment))

    read = client.get(f"/h/{public_id}")
    assert read.status_code == _expected(phase, access, who, "read")

    posted = client.post(
        f"/h/{public_id}/comments",
        data={"section_id": hearing.sections[1].id, "body": "Jeg støtter forslaget.", "accept_rules": "1"},
    )
    assert posted.status_code == _expected(phase, access, who, "comment"), posted.text[:300]
    stored = db.session.scalar(select(func.count()).select_from(Comment)) - comments_before
    assert stored == (1 if posted.status_code == 303 else 0)  # nothing stored half-way

    voted = client.post(f"/h/{public_id}/comments/{comment.id}/vote", data={"value": "agree"})
    assert voted.status_code == _expected(phase, access, who, "vote"), voted.text[:300]
    events = db.session.scalar(select(func.count()).select_from(VoteEvent))
    assert events == (1 if voted.status_code == 303 else 0)
