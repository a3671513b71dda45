"""What every campaign view shares: loading a campaign of the signed-in staff member's organisation."""

from __future__ import annotations

from civic.accounts.permissions import same_organisation
from civic.campaigns.models import Campaign
from civic.extensions import db


def load_campaign(campaign_id: int) -> Campaign:
    """Return the campaign, or 404 if it does not exist or belongs to another organisation."""
    campaign = db.get_or_404(Campaign, campaign_id)
    same_organisation(campaign.organisation_id)
    return campaign
