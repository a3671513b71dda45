"""The demo's published report: last year's parking pre-study, closed, composed and published by the planner.

Published through the same service a planner's "Publish" button calls, so its figures are the real snapshot of
the seeded responses. No topic run exists for it when the seed publishes (the demo's worker starts afterwards),
so its report has no topics section; the open parking survey shows topics on the analysis pages.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.consultations.models import Consultation
from civic.reports import publishing
from civic.reports.models import Report, Section, Theme

PAST_TITLE = {
    "nb": "Parkering i Bydel Bjerke – forundersøkelse",
    "nn": "Parkering i Bydel Bjerke – førehandsundersøking",
    "en": "Parking in Bjerke district – preliminary survey",
}
WHAT_WE_HEARD = {
    "nb": "Beboerne i Økern og Risløkka opplever at det er svært vanskelig å finne parkering om kvelden, og "
    "mange peker på pendlere som parkerer nær T-banen. Familier med barn er mest opptatt av trygg skolevei, "
    "særlig rundt Årvoll skole.\n\n"
    "Svarene er ikke entydige om bilfrie gater: flertallet støtter det ved skolene, men færre i boliggatene.",
    "nn": "Bebuarane på Økern og Risløkka opplever at det er svært vanskeleg å finne parkering om kvelden, og "
    "mange peikar på pendlarar som parkerer nær T-banen. Familiar med barn er mest opptekne av trygg skuleveg, "
    "særleg rundt Årvoll skule.\n\n"
    "Svara er ikkje eintydige om bilfrie gater: fleirtalet støttar det ved skulane, men færre i bustadgatene.",
    "en": "Residents of Økern and Risløkka find it very hard to park in the evening, and many point to commuters "
    "parking near the metro. Families with children care most about safe routes to school, especially around "
    "Årvoll school.\n\n"
    "Answers on car-free streets are mixed: most support them near schools, fewer in residential streets.",
}
NEXT_STEPS = {
    "nb": "Bydelsutvalget behandler forslaget om å søke beboerparkering for Økern og Risløkka i sitt møte i "
    "mars. Denne høsten sender vi en ny undersøkelse til alle beboere i bydelen.",
    "nn": "Bydelsutvalet handsamar forslaget om å søkje bebuarparkering for Økern og Risløkka i møtet sitt i "
    "mars. Denne hausten sender vi ei ny undersøking til alle bebuarar i bydelen.",
    "en": "The district council will consider the proposal to apply for resident parking in Økern and Risløkka "
    "at its March meeting. This autumn we are sending a new survey to every resident of the district.",
}
DISTRICTS = ["Økern", "Risløkka", "Årvoll"]


def publish_past_report(
    session: Session, consultation: Consultation, actor: StaffUser, *, published_at: datetime
) -> Report:
    """Compose the pre-study's report with the planner's texts and publish it."""
    report = publishing.get_or_create_report(session, consultation)
    publishing.update_report(
        session,
        report,
        what_we_heard=WHAT_WE_HEARD,
        next_steps=NEXT_STEPS,
        theme=Theme.TRAFFIC,
        districts=DISTRICTS,
        sections=[s.value for s in Section if s not in (Section.GROUPS, Section.STATEMENTS)],
    )
    publishing.publish(session, report, actor, now=published_at)
    return report
