"""The planner's hearing pages: list, new hearing, overview, proposal editor with preview, settings; access rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import Access, Consultation, ConsultationState
from civic.hearings.models import CommentState, FormalStatement, Hearing, ModerationMode, StatementState
from tests.fixtures.hearings import PROPOSAL
from tests.hearings.test_statements import XSS_PAYLOADS, assert_inert

NEW = "/manage/hearings/new"


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English (the default is bokmål), so messages can be matched as written."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _new_data(**values) -> dict:
    data = {
        "languages": ["nb", "en"],
        "title_nb": "Fartsdumper i Tonsenveien",
        "title_en": "Speed bumps in Tonsenveien",
        "summary_nb": "Bydelen foreslår fire nye fartsdumper.",
        "access": "public",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2027-01-15T12:00",
        "moderation_mode": "pre",
        "verification_offered": "y",
        "document": PROPOSAL,
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _base(hearing) -> str:
    return f"/manage/hearings/{hearing.consultation_id}"


@pytest.fixture
def logged_in(auth, planner):
    auth.login(planner)
    return planner


# --- list and new hearing ----------------------------------------------------------------------------------


def test_list_shows_state_counts_and_links(client, logged_in, db, create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    create_comment(hearing, participant, "Synlig")
    create_comment(hearing, participant, "Venter", state=CommentState.PENDING)
    db.session.add(FormalStatement(hearing_id=hearing.id, signer_name="Kari", body="Uttalelse " * 5))
    db.session.commit()
    page = client.get("/manage/hearings/")
    assert page.status_code == 200
    assert "parking in Bjerke" in page.text
    assert f'href="{_base(hearing)}"' in page.text
    assert 'href="/manage/hearings/new"' in page.text
    assert 'badge state-open">open<' in page.text
    cells = page.text.split("parking in Bjerke", 1)[1]
    assert "<td>1</td>" in cells  # one published comment; one pending; one statement to review


def test_create_a_hearing_end_to_end(client, logged_in, db):
    response = client.post(NEW, data=_new_data())
    assert response.status_code == 303
    hearing = db.session.scalars(select(Hearing)).one()
    consultation = hearing.consultation
    assert response.headers["Location"].endswith(_base(hearing))
    assert consultation.title == {"nb": "Fartsdumper i Tonsenveien", "en": "Speed bumps in Tonsenveien"}
    assert consultation.state == ConsultationState.DRAFT
    assert consultation.access == Access.PUBLIC
    # Norwegian time: 09:00 in December is 08:00 UTC, 12:00 in January 11:00 UTC.
    assert consultation.opens_at.replace(tzinfo=UTC) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert consultation.closes_at.replace(tzinfo=UTC) == datetime(2027, 1, 15, 11, 0, tzinfo=UTC)
    assert hearing.moderation_mode == ModerationMode.PRE
    assert hearing.verification_offered is True
    assert [s.number for s in hearing.sections] == ["1", "1.1", "1.2", "2", "2.1"]
    detail = client.get(_base(hearing))
    assert detail.status_code == 200
    assert f"/h/{consultation.public_id}" in detail.text
    assert "Pre-moderation" in detail.text


def test_summer_time_is_read_as_norwegian_time(client, logged_in, db):
    client.post(NEW, data=_new_data(opens_at="2027-06-01T09:00", closes_at="2027-06-30T23:30"))
    consultation = db.session.scalars(select(Consultation)).one()
    assert consultation.opens_at.replace(tzinfo=UTC) == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"document": ""}, "Write or paste the proposal."),
        ({"document": "Bare tekst uten overskrifter, men lang nok."}, "The proposal needs headings"),
        ({"document": "# Tittel\n\n" + "x" * 200_001}, "The proposal is too long"),
        ({"title_nb": ""}, "Write a title in Bokmål."),
        ({"closes_at": "2026-11-30T09:00"}, "The closing time must be after the opening time."),
        ({"moderation_mode": "sometimes"}, "Not a valid choice"),
        ({"opens_at": "1. desember"}, "Not a valid datetime value"),
    ],
)
def test_new_hearing_bad_input_keeps_what_was_typed(client, logged_in, db, values, message):
    data = _new_data(**values)
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert message in response.text
    if data.get("title_nb"):
        assert 'value="Fartsdumper i Tonsenveien"' in response.text
    if values.get("document") is None:
        assert "Forskrift om boligsoneparkering i Bydel Bjerke" in response.text
    assert db.session.scalars(select(Consultation)).all() == []


# --- detail and state ----------------------------------------------------------------------------------------


def test_detail_shows_counts_links_and_state_actions(
    client, logged_in, db, create_hearing, create_participant, create_comment
):
    hearing = create_hearing(state=ConsultationState.DRAFT)
    participant, _key = create_participant(hearing)
    create_comment(hearing, participant, "På 1.1")
    create_comment(hearing, participant, "På hele dokumentet", section_id=None)
    page = client.get(_base(hearing))
    assert page.status_code == 200
    assert "1.1 § 1 Formål" in page.text
    assert f'action="/manage/consultations/{hearing.consultation_id}/state"' in page.text
    for suffix in ("/document", "/attachments", "/settings"):
        assert f'href="{_base(hearing)}{suffix}"' in page.text
    assert f'href="{_base(hearing)}/moderation"' in page.text
    # The consultations' own endpoint changes the state.
    response = client.post(f"/manage/consultations/{hearing.consultation_id}/state", data={"to_state": "open"})
    assert response.status_code == 303
    db.session.refresh(hearing.consultation)
    assert hearing.consultation.state == ConsultationState.OPEN


def test_a_survey_is_not_a_hearing(client, logged_in, create_survey):
    survey = create_survey()
    assert client.get(f"/manage/hearings/{survey.consultation_id}").status_code == 404
    assert client.get(f"/manage/hearings/{survey.consultation_id}/document").status_code == 404


# --- the proposal editor --------------------------------------------------------------------------------------


def test_preview_button_works_without_javascript(client, logged_in, db, create_hearing):
    hearing = create_hearing()
    text = "# Innledning\n\nNy tekst.\n\n# Tiltak\n\n## Fartsdumper\n\nFire stykker."
    response = client.post(f"{_base(hearing)}/document", data={"document": text, "action": "preview"})
    assert response.status_code == 200
    assert "<h3>2 Tiltak</h3>" in response.text
    assert "<h4>2.1 Fartsdumper</h4>" in response.text
    assert "Ny tekst." in response.text
    db.session.refresh(hearing)
    assert hearing.document == PROPOSAL  # a preview saves nothing


def test_htmx_preview_returns_the_partial(client, logged_in, create_hearing):
    hearing = create_hearing()
    response = client.post(
        f"{_base(hearing)}/document/preview", data={"document": "# A\n\nB"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="document-preview"')
    assert "<h3>1 A</h3>" in response.text
    bad = client.post(
        f"{_base(hearing)}/document/preview", data={"document": "no headings"}, headers={"HX-Request": "true"}
    )
    assert "The proposal needs headings" in bad.text


def test_save_the_proposal(client, logged_in, db, create_hearing):
    hearing = create_hearing()
    text = PROPOSAL + "\n## § 4 Ikrafttredelse\n\nForskriften trer i kraft 1. april.\n"
    response = client.post(f"{_base(hearing)}/document", data={"document": text, "action": "save"})
    assert response.status_code == 303
    db.session.refresh(hearing)
    assert [s.number for s in hearing.sections] == ["1", "1.1", "1.2", "2", "2.1", "2.2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write or paste the proposal."),
        ("   \n\n", "Write or paste the proposal."),
        ("Bare tekst, ingen overskrifter.", "The proposal needs headings"),
        ("# Tittel\n\n" + "x" * 200_001, "The proposal is too long"),
    ],
)
def test_bad_proposal_is_refused_and_kept(client, logged_in, db, create_hearing, text, message):
    hearing = create_hearing()
    response = client.post(f"{_base(hearing)}/document", data={"document": text, "action": "save"})
    assert response.status_code == 422
    assert message in response.text
    if text.strip():
        assert text[:30] in response.text
    db.session.refresh(hearing)
    assert hearing.document == PROPOSAL


def test_removing_sections_with_comments_needs_confirmation(
    client, logged_in, db, create_hearing, create_participant, create_comment
):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    section = hearing.sections[4]  # 2.1 § 3 Pris for beboerkort
    comment = create_comment(hearing, participant, "For dyrt", section_id=section.id)
    shorter = PROPOSAL.split("# Gebyrer")[0]
    response = client.post(f"{_base(hearing)}/document", data={"document": shorter, "action": "save"})
    assert response.status_code == 422
    assert "These sections have comments and would disappear" in response.text
    assert "2.1 § 3 Pris for beboerkort" in response.text
    assert 'name="confirm_losing"' in response.text
    db.session.refresh(hearing)
    assert len(hearing.sections) == 5
    confirmed = client.post(
        f"{_base(hearing)}/document", data={"document": shorter, "action": "save", "confirm_losing": "y"}
    )
    assert confirmed.status_code == 303
    db.session.refresh(hearing)
    assert [s.number for s in hearing.sections] == ["1", "1.1", "1.2"]
    db.session.refresh(comment)
    assert comment.section_id is None  # moved to the whole document


# --- settings -------------------------------------------------------------------------------------------------


def test_settings_save_moderation_verification_and_house_rules(client, logged_in, db, create_hearing):
    hearing = create_hearing()
    response = client.post(
        f"{_base(hearing)}/settings",
        data={"moderation_mode": "pre", "house_rules_nb": "Vær saklig.", "house_rules_nn": "  ", "house_rules_en": ""},
    )
    assert response.status_code == 303
    db.session.refresh(hearing)
    assert hearing.moderation_mode == ModerationMode.PRE
    assert hearing.verification_offered is False  # unticked
    assert hearing.house_rules == {"nb": "Vær saklig."}
    page = client.get(f"{_base(hearing)}/settings")
    assert "Vær saklig." in page.text


def test_settings_bad_input(client, logged_in, db, create_hearing):
    hearing = create_hearing()
    response = client.post(f"{_base(hearing)}/settings", data={"moderation_mode": "", "house_rules_nb": "x" * 5001})
    assert response.status_code == 422
    assert "Choose how comments are moderated." in response.text
    assert "Field cannot be longer than 5000 characters." in response.text
    db.session.refresh(hearing)
    assert hearing.house_rules == {}


# --- who may do what -------------------------------------------------------------------------------------------


def test_viewers_may_look_but_not_edit(client, auth, create_staff, db, create_hearing):
    hearing = create_hearing()
    auth.login(create_staff(Role.VIEWER))
    assert client.get("/manage/hearings/").status_code == 200
    detail = client.get(_base(hearing))
    assert detail.status_code == 200
    assert f'href="{_base(hearing)}/document"' not in detail.text
    for path in (NEW, f"{_base(hearing)}/document", f"{_base(hearing)}/settings", f"{_base(hearing)}/attachments"):
        assert client.get(path).status_code == 403
    assert client.post(NEW, data=_new_data()).status_code == 403
    assert client.post(f"{_base(hearing)}/document", data={"document": "# X", "action": "save"}).status_code == 403
    assert client.post(f"{_base(hearing)}/document/preview", data={"document": "# X"}).status_code == 403
    assert client.post(f"{_base(hearing)}/settings", data={"moderation_mode": "pre"}).status_code == 403
    db.session.refresh(hearing)
    assert hearing.document == PROPOSAL
    assert hearing.moderation_mode == ModerationMode.POST


def test_moderators_cannot_edit_either(client, auth, create_staff, create_hearing):
    hearing = create_hearing()
    auth.login(create_staff(Role.MODERATOR))
    assert client.get(_base(hearing)).status_code == 200
    assert client.post(f"{_base(hearing)}/settings", data={"moderation_mode": "pre"}).status_code == 403


def test_another_organisations_staff_get_404(client, auth, create_staff, create_organisation, db, create_hearing):
    hearing = create_hearing()
    other = create_organisation(slug="alna", name="Bydel Alna")
    auth.login(create_staff(Role.ADMIN, email="admin@alna.example", org=other))
    assert "parking in Bjerke" not in client.get("/manage/hearings/").text
    for suffix in ("", "/document", "/settings", "/attachments"):
        assert client.get(f"{_base(hearing)}{suffix}").status_code == 404
    assert client.post(f"{_base(hearing)}/document", data={"document": "# X", "action": "save"}).status_code == 404
    assert client.post(f"{_base(hearing)}/document/preview", data={"document": "# X"}).status_code == 404
    assert client.post(f"{_base(hearing)}/settings", data={"moderation_mode": "pre"}).status_code == 404
    db.session.refresh(hearing)
    assert hearing.document == PROPOSAL


def test_anonymous_visitors_are_sent_to_login(client, create_hearing):
    hearing = create_hearing()
    response = client.get(_base(hearing))
    assert response.status_code == 302
    assert "/manage/login" in response.headers["Location"]


# --- XSS: what planners type renders inert on the resident pages ----------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_planner_text_renders_inert_for_residents(client, auth, planner, db, payload):
    auth.login(planner)
    document = f"{payload}\n\n# {payload}\n\n{payload}\n\n## {payload} 2\n\n[x]({payload}) <b onclick=alert(5)>b</b>"
    response = client.post(
        NEW,
        data=_new_data(
            title_nb=payload, title_en=payload, summary_nb=payload, document=document, opens_at=None, closes_at=None
        ),
    )
    assert response.status_code == 303, response.text
    hearing = db.session.scalars(select(Hearing)).one()
    assert (
        client.post(f"{_base(hearing)}/settings", data={"moderation_mode": "post", "house_rules_nb": payload})
    ).status_code == 303
    for path in ("", "/document", "/settings", "/attachments"):
        assert_inert(client.get(f"{_base(hearing)}{path}").text)
    preview = client.post(f"{_base(hearing)}/document/preview", data={"document": document})
    assert_inert(preview.text)
    assert_inert(client.get("/manage/hearings/").text)
    client.post(f"/manage/consultations/{hearing.consultation_id}/state", data={"to_state": "open"})
    auth.logout()
    public_id = hearing.consultation.public_id
    hearing_page = client.get(f"/h/{public_id}")
    assert hearing_page.status_code == 200
    assert_inert(hearing_page.text)
    for section in hearing.sections:
        page = client.get(f"/h/{public_id}/s/{section.id}")
        assert page.status_code == 200
        assert_inert(page.text)
    statements = client.get(f"/h/{public_id}/statements")
    assert statements.status_code == 200
    assert_inert(statements.text)


def test_statement_review_counts_on_the_detail_page(client, logged_in, db, create_hearing):
    hearing = create_hearing()
    db.session.add_all(
        [
            FormalStatement(hearing_id=hearing.id, signer_name="A", body="a" * 30, state=StatementState.PUBLISHED),
            FormalStatement(hearing_id=hearing.id, signer_name="B", body="b" * 30),
        ]
    )
    db.session.commit()
    page = client.get(_base(hearing))
    assert "Formal statements: 1 published, 1 waiting for review." in page.text
