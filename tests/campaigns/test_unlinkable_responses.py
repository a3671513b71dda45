"""Campaign links: a fresh random link per message, and responses that nothing in the database joins to a person.

The adversary here holds SECRET_KEY, the database and the registry: they can find a resident's invitation
through its person reference, but not the resident's answers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from civic.campaigns import services
from civic.campaigns.models import ChannelPolicy, OutboundMessage
from civic.campaigns.tokens import person_reference
from civic.core.tokens import hash_token, response_key_hash
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation, InvitationLink
from civic.surveys.models import Survey, SurveyResponse
from tests.surveys.answer_helpers import page1, page2

LINK = re.compile(r"/p/([A-Za-z0-9_-]+)")


def _sms_links(app) -> dict[str, list[str]]:
    """Return {recipient number: [tokens, in the order sent]} from the SMS outbox."""
    folder = Path(app.config["SMS_OUTBOX_FOLDER"])
    sent = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    links: dict[str, list[str]] = {}
    for sms in sorted(sent, key=lambda s: int(s["ref_id"])):  # ref_id is the message id: send order
        links.setdefault(sms["to"], []).append(LINK.search(sms["text"]).group(1))
    return links


@pytest.fixture
def reminded(app, db, make_campaign, small_registry):
    """An SMS campaign to 18–30-year-olds: invitations sent, one resident's draft saved, then a reminder round."""
    campaign = make_campaign({"age_min": 18, "age_max": 30}, policy=ChannelPolicy.SMS, reminder_max=1)
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    survey = db.session.scalar(select(Survey).where(Survey.consultation_id == campaign.consultation_id))
    number, [first] = next(iter(_sms_links(app).items()))
    client = app.test_client()
    assert client.post(f"/p/{first}/page/1", data=page1(survey)).status_code == 303  # a saved draft
    services.send_reminder(db.session, campaign)
    db.session.commit()
    db.session.expire_all()
    return campaign, survey, number, client


def test_a_reminder_carries_a_new_link_to_the_same_invitation(app, db, reminded):
    campaign, _survey, number, _client = reminded
    first, second = _sms_links(app)[number]
    assert first != second
    assert find_invitation(db.session, first) == find_invitation(db.session, second)
    # One link row per message sent, and none of them holds a token.
    sent = db.session.query(OutboundMessage).filter_by(campaign_id=campaign.id, state="sent").count()
    hashes = set(db.session.scalars(select(InvitationLink.token_hash)))
    assert len(hashes) == sent
    assert first not in hashes
    assert hash_token(first) in hashes


def test_every_link_of_an_invitation_works_and_only_one_answer_counts(app, db, reminded):
    _campaign, survey, number, first_client = reminded
    first, second = _sms_links(app)[number]
    # The reminder's link starts afresh: the draft belongs to the first link, which still holds it.
    second_client = app.test_client()
    assert "Refstadveien" not in second_client.get(f"/p/{second}/page/2").text
    assert second_client.post(f"/p/{second}/page/1", data=page1(survey)).status_code == 303
    assert second_client.post(f"/p/{second}/page/2", data=page2(survey)).status_code == 303

    refused = first_client.post(f"/p/{first}/page/2", data=page2(survey, **{f"q{survey.questions[3].id}": "Tonsenv."}))
    assert refused.status_code == 409
    assert "Du har allerede svart via lenken i en tidligere melding" in refused.text
    assert "Tonsenv." in refused.text  # what was typed is shown again, and kept as a draft
    db.session.expire_all()
    states = sorted(r.state for r in db.session.scalars(select(SurveyResponse)))
    assert states == ["draft", "submitted"]
    assert "Du har allerede svart" in first_client.get(f"/p/{first}").text
    # The link that answered can still change its answers.
    again = second_client.post(f"/p/{second}/page/2", data=page2(survey, **{f"q{survey.questions[3].id}": "Ny"}))
    assert again.status_code == 303


def test_key_database_and_registry_find_the_invitation_but_not_the_answers(app, db, reminded, small_registry):
    campaign, survey, number, _client = reminded
    _first, second = _sms_links(app)[number]
    client = app.test_client()
    client.post(f"/p/{second}/page/1", data=page1(survey))
    client.post(f"/p/{second}/page/2", data=page2(survey))
    db.session.expire_all()

    # No column of a response refers to invitations or their links.
    referenced = {fk.column.table.name for fk in inspect(SurveyResponse).local_table.foreign_keys}
    assert referenced == {"surveys"}

    # The adversary finds the resident's invitation from the registry and the key ...
    resident = next(p for p in small_registry.contacts.values() if p.mobile == number)
    reference = person_reference(app.config["SECRET_KEY"], campaign.token_salt, resident.national_id)
    invitation = db.session.scalar(select(Invitation).where(Invitation.person_ref == reference))
    assert invitation is not None
    assert invitation.responded_at is not None
    assert invitation == find_invitation(db.session, second)
    # ... but every value stored about it or its links differs from every key a response is stored under,
    # and the response keys cannot be computed from them (they are a separate hash of the unstored token).
    stored = {str(v) for v in inspect(invitation).dict.values()}
    stored |= set(
        db.session.scalars(select(InvitationLink.token_hash).where(InvitationLink.invitation_id == invitation.id))
    )
    keys = set(db.session.scalars(select(SurveyResponse.draft_key_hash)))
    assert response_key_hash(second) in keys
    assert not keys & stored
    # The invitation records only the day it was answered, not the moment the response has.
    assert invitation.responded_at.time().isoformat() == "00:00:00"
