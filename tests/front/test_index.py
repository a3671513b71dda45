"""The public front page lists open public consultations only."""

from civic.consultations.models import Access, ConsultationState


def test_front_page_lists_only_open_public_consultations(client, create_survey):
    open_public = create_survey()
    invited = create_survey(access=Access.INVITED)
    draft = create_survey(state=ConsultationState.DRAFT)
    page = client.get("/")
    assert page.status_code == 200
    assert f"/s/{open_public.consultation.public_id}" in page.text
    assert f"/s/{invited.consultation.public_id}" not in page.text
    assert f"/s/{draft.consultation.public_id}" not in page.text
    assert "Bydel Bjerke" in page.text
