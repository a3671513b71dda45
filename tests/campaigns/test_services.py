"""Campaign lifecycle rules: readiness checks, schedule, reminder settings, states."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic.campaigns import services
from civic.campaigns.models import CampaignState, MessagePurpose
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc


def test_create_sets_salt_and_default_templates(db, make_campaign):
    campaign = make_campaign()
    assert len(campaign.token_salt) == 32
    assert {t.purpose for t in campaign.templates} == {MessagePurpose.INVITATION, MessagePurpose.REMINDER}


def test_invalid_templates_block_sending(db, make_campaign, small_registry, english_ui):
    campaign = make_campaign()
    invitation = next(t for t in campaign.templates if t.purpose == MessagePurpose.INVITATION)
    invitation.sms_body = "Hei {fornavn}, svar her"
    with pytest.raises(services.CampaignNotReadyError, match="message texts need changes"):
        services.check_ready(db.session, campaign, registry=small_registry.bundle(), today=now_utc().date())


def test_invalid_criteria_block_sending(db, make_campaign, small_registry):
    campaign = make_campaign({"age_min": 50, "age_max": 20})
    with pytest.raises(services.CampaignNotReadyError):
        services.check_ready(db.session, campaign, registry=small_registry.bundle(), today=now_utc().date())


def test_reminder_settings_are_bounded(db, make_campaign):
    campaign = make_campaign()
    with pytest.raises(InvalidInputError):
        services.update_settings(db.session, campaign, name="x", channel_policy="sms", reminder_after_days=3,
                                 reminder_max=6)
    services.update_settings(db.session, campaign, name="Ny", channel_policy="sms", reminder_after_days=3,
                             reminder_max=5)
    assert (campaign.name, campaign.channel_policy, campaign.reminder_max) == ("Ny", "sms", 5)


def test_states(db, make_campaign, small_registry):
    campaign = make_campaign()
    with pytest.raises(StateError):
        services.unschedule(db.session, campaign)
    with pytest.raises(StateError):
        services.send_reminder(db.session, campaign)
    with pytest.raises(InvalidInputError):
        services.schedule(db.session, campaign, send_at=now_utc() - timedelta(minutes=1),
                          registry=small_registry.bundle())
    services.schedule(db.session, campaign, send_at=now_utc() + timedelta(days=1), registry=small_registry.bundle())
    assert campaign.state == CampaignState.SCHEDULED
    services.cancel(db.session, campaign)
    assert campaign.state == CampaignState.CANCELLED
    with pytest.raises(StateError):
        services.cancel(db.session, campaign)
