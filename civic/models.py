"""Import every domain's models so Alembic and create_all see the whole schema."""

from civic.accounts import models as accounts_models
from civic.campaigns import models as campaigns_models
from civic.consultations import models as consultations_models
from civic.focus_groups import models as focus_groups_models
from civic.hearings import models as hearings_models
from civic.insight import models as insight_models
from civic.outreach import models as outreach_models
from civic.privacy import models as privacy_models
from civic.reports import models as reports_models
from civic.surveys import models as surveys_models

__all__ = [
    "accounts_models",
    "campaigns_models",
    "consultations_models",
    "focus_groups_models",
    "hearings_models",
    "insight_models",
    "outreach_models",
    "privacy_models",
    "reports_models",
    "surveys_models",
]
