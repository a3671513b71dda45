"""The demo's published report: last year's pre-study, readable without login from the municipality's overview."""

from __future__ import annotations

from sqlalchemy import select

from civic.consultations.models import ConsultationState
from civic.demo import report as demo_report
from civic.demo import seed
from civic.reports.models import Report, ReportState, Section, Theme


def _report(db) -> Report:
    return db.session.scalars(select(Report)).one()


def test_the_pre_study_is_closed_and_its_report_published(db, seeded):
    report = _report(db)
    consultation = report.consultation
    assert consultation.title == demo_report.PAST_TITLE
    assert consultation.state == ConsultationState.PUBLISHED
    assert (report.state, report.version, report.theme) == (ReportState.PUBLISHED, 1, Theme.TRAFFIC)
    assert report.published_at is not None
    assert report.published_at < seeded.consultation.opens_at
    assert Section.RESULTS in report.sections
    assert Section.GROUPS not in report.sections
    headline = report.snapshot["headline"]
    assert headline["respondents"] == seed.PAST_RESPONSES
    assert headline["invited"] == seed.PAST_INVITATIONS
    assert 0.15 < headline["response_rate"] < 0.25
    # The open survey residents answer in the demo has no report yet.
    assert report.consultation_id != seeded.consultation.id


def test_the_overview_and_the_report_are_public(client, db, seeded):
    report = _report(db)
    overview = client.get("/reports/bjerke?lang=nb")
    assert overview.status_code == 200
    page = overview.get_data(as_text=True)
    assert demo_report.PAST_TITLE["nb"] in page
    public = client.get(f"/r/{report.consultation.public_id}?lang=nb")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert demo_report.WHAT_WE_HEARD["nb"].split("\n\n")[0][:60] in text
    assert "640" in text
