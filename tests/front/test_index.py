"""The public front page lists open public consultations only."""

from datetime import UTC, datetime

from civic.consultations.models import Access, ConsultationState


def test_front_page_lists_only_open_public_consultations(client, create_survey):
    open_public = create_survey()
    open_public.consultation.closes_at = datetime(2030, 5, 17, 10, 0, tzinfo=UTC)
    invited = create_survey(access=Access.INVITED)
    draft = create_survey(state=ConsultationState.DRAFT)
    page = client.get("/")
    assert page.status_code == 200
    assert f"/s/{open_public.consultation.public_id}" in page.text
    assert f"/s/{invited.consultation.public_id}" not in page.text
    assert f"/s/{draft.consultation.public_id}" not in page.text
    assert "Bydel Bjerke" in page.text
    assert "17. mai 2030 12:00" in page.text  # Oslo time, Norwegian month
