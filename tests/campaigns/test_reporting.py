"""Follow-up numbers: the funnel, small-count suppression and under-represented segments."""

from __future__ import annotations

from sqlalchemy import select

from civic.campaigns import reporting, services
from civic.campaigns.models import Campaign, MessageState, OutboundMessage
from civic.core.timeutils import now_utc
from civic.outreach.models import Invitation


def test_shown_suppresses_one_to_four(app, english_ui):
    assert reporting.shown(0) == "0"
    assert [reporting.shown(n) for n in (1, 4)] == ["fewer than 5"] * 2
    assert reporting.shown(5) == "5"


def test_funnel_failures_unknown_and_segments(app, db, make_campaign, small_registry):
    campaign = make_campaign({"age_min": 18, "age_max": 77})
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    messages = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    messages[0].state, messages[0].failure_reason = MessageState.FAILED, "smtp_550"
    messages[1].state = MessageState.UNKNOWN
    for invitation in db.session.scalars(select(Invitation)):
        if invitation.age_band != "16-29":
            invitation.opened_at = invitation.responded_at = now_utc()
    db.session.commit()

    report = reporting.campaign_report(db.session, campaign)
    funnel = {key: count for key, _label, count in report.funnel}
    assert funnel["matched"] == campaign.counts["matched"]
    assert funnel["reachable"] == campaign.counts["reachable"] == funnel["sent"]
    assert funnel["responded"] == funnel["opened"] > 0
    assert report.failures == [("smtp_550", 1)]
    assert report.unknown == 1
    ages = {row.value: row for row in report.segments["age_band"]}
    assert ages["16-29"].under_represented
    assert ages["16-29"].rate == 0
    assert not ages["45-66"].under_represented
    assert abs(sum(row.population_share for row in ages.values()) - 1) < 1e-9
    assert dict(report.not_contacted)  # every reason listed, even when 0
