"""Data minimisation over the whole platform (issue 8): after the demo seed, campaigns sent from a registry to a
survey, a hearing and a focus group, residents answering, commenting, voting and taking part through their personal
links, and one of each deleting what they contributed, no table, no column and no log
line holds any resident's national id, name, street address, e-mail address or phone number.

The search (every row of every table as text; every personal value of every resident) is the outreach issue's,
reused from tests/campaigns/test_data_minimisation.py; this test widens what runs before it to every domain.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from sqlalchemy import func, select

from civic.campaigns import services as campaigns
from civic.campaigns.models import ChannelPolicy
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.demo import seed
from civic.focus_groups.models import Contribution, FocusGroup, FocusGroupMode
from civic.hearings.models import Comment, Hearing, Vote
from civic.outreach.models import Invitation
from civic.surveys.models import SurveyResponse
from tests.campaigns.conftest import SmallRegistry
from tests.campaigns.test_data_minimisation import dump_database, leaks, personal_values
from tests.privacy.scan import fast_leaks

LINK = re.compile(r"/p/([A-Za-z0-9_-]+)")
CRITERIA = {"age_min": 18, "age_max": 99}


def _send(app, db, organisation, consultation: Consultation, registry: SmallRegistry, name: str) -> list[str]:
    """Send an SMS campaign for ``consultation`` to everyone in the registry; return the links sent (in order)."""
    outbox = Path(app.config["SMS_OUTBOX_FOLDER"])
    before = set(outbox.glob("*.json")) if outbox.exists() else set()
    campaign = campaigns.create_campaign(
        db.session,
        organisation,
        actor=None,
        name=name,
        consultation_id=consultation.id,
        channel_policy=ChannelPolicy.SMS,
    )
    campaign.criteria = dict(CRITERIA)
    db.session.commit()
    campaigns.send_now(db.session, campaign, registry=registry.bundle())
    db.session.commit()
    sent = [json.loads(p.read_text()) for p in set(outbox.glob("*.json")) - before]
    return [LINK.search(sms["text"]).group(1) for sms in sorted(sent, key=lambda s: int(s["ref_id"]))]


def _take_part(app, db, survey_links, hearing_links, group_links, hearing: Hearing, group: FocusGroup) -> None:
    client = app.test_client()
    # Survey: residents open their links (the demo seed already holds the survey's answers).
    for token in survey_links[:5]:
        assert client.get(f"/p/{token}").status_code in (200, 303)
    hearing_public = hearing.consultation.public_id
    for n, token in enumerate(hearing_links[:4]):
        resident = app.test_client()
        assert resident.get(f"/p/{token}").status_code == 303  # survey route sends hearing links on
        assert resident.get(f"/h/p/{token}").status_code == 303
        posted = resident.post(
            f"/h/{hearing_public}/comments",
            data={
                "body": f"Innspill nummer {n} om parkering.",
                "accept_rules": "1",
                "section_id": hearing.sections[0].id,
            },
        )
        assert posted.status_code in (200, 303)
        first = db.session.scalar(select(Comment.id).where(Comment.hearing_id == hearing.id).order_by(Comment.id))
        resident.post(f"/h/{hearing_public}/comments/{first}/vote", data={"value": "agree"})
    group_public = group.consultation.public_id
    prompt = next(p for p in group.prompts if p.kind == "open")
    for n, token in enumerate(group_links[:4]):
        resident = app.test_client()
        assert resident.get(f"/f/join/{token}").status_code == 303
        answered = resident.post(
            f"/f/{group_public}/prompts/{prompt.id}/answer", data={"text": f"Svar {n} fra beboer."}
        )
        assert answered.status_code in (200, 303)
    # One resident of each kind deletes what they contributed through their link.
    for token in (hearing_links[0], group_links[0], survey_links[0]):
        assert client.post(f"/p/{token}/my-data/delete", data={"confirm": "yes"}).status_code == 303


def test_no_personal_data_anywhere_after_the_whole_platform_ran(app, db, small_registry, caplog):
    caplog.set_level(logging.INFO)
    result = seed.seed_demo(db.session)
    db.session.commit()
    organisation = result.organisation
    hearing = db.session.scalar(
        select(Hearing).join(Consultation).where(Consultation.organisation_id == organisation.id)
    )
    group = db.session.scalar(
        select(FocusGroup)
        .join(Consultation)
        .where(
            Consultation.organisation_id == organisation.id,
            FocusGroup.mode == FocusGroupMode.ASYNC,
            Consultation.state == ConsultationState.OPEN,
        )
    )
    assert hearing is not None
    assert group is not None
    assert hearing.consultation.kind == ConsultationKind.HEARING

    survey_links = _send(app, db, organisation, result.consultation, small_registry, "Undersøkelse")
    hearing_links = _send(app, db, organisation, hearing.consultation, small_registry, "Høring")
    group_links = _send(app, db, organisation, group.consultation, small_registry, "Fokusgruppe")
    assert min(len(survey_links), len(hearing_links), len(group_links)) > 200
    _take_part(app, db, survey_links, hearing_links, group_links, hearing, group)

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) > 600
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.body.like("Innspill%"))) == 3
    assert (
        db.session.scalar(select(func.count()).select_from(Contribution).where(Contribution.text.like("Svar %"))) == 3
    )
    assert db.session.scalar(select(func.count()).select_from(Vote)) > 0
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) > 0

    values = list(
        personal_values(
            small_registry.people, small_registry.contacts, {a.key: a for a in small_registry.address_points}
        )
    )
    with db.engine.connect() as connection:
        database = dump_database(connection)
    for table in (
        "campaign_messages",
        "outreach_invitations",
        "hearing_comments",
        "focus_group_contributions",
        "survey_responses",
        "reports",
    ):
        assert f"\n{table}: " in f"\n{database}", f"{table} is empty: the test would not cover it"
    assert fast_leaks(database, values) == []
    assert caplog.text
    assert fast_leaks(caplog.text, values) == []


def test_the_fast_search_finds_what_the_outreach_search_finds(small_registry):
    """The shortcut must not hide a leak: planted values of every kind are found, exactly as ``leaks`` finds them."""
    people = small_registry.people[10:14]
    values = list(personal_values(people, small_registry.contacts, {a.key: a for a in small_registry.address_points}))
    contact = small_registry.contacts[people[1].national_id]
    haystack = (
        f"x|{people[0].national_id}|{people[1].given_name} {people[1].family_name}|ring {contact.mobile}."
        f"|<{contact.email}>|{small_registry.address_text(people[2])}, 0590 Oslo|{people[3].national_id}9"
    )
    found = fast_leaks(haystack, values)
    assert found == leaks(haystack, values)
    assert {"national id", "name", "given name", "family name", "phone", "e-mail", "street address"} <= set(found)
    assert found.count("national id") == 1  # people[3]'s id runs on into a longer number: not theirs
    assert fast_leaks("nothing personal here", values) == []
