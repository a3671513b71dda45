"""The app starts and the login page renders in bokmål by default."""


def test_login_page_renders(client):
    response = client.get("/manage/login")
    assert response.status_code == 200
    assert 'lang="nb"' in response.text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_staff_can_log_in_and_out(client, auth, planner):
    response = auth.login(planner)
    assert response.status_code == 303
    assert client.get("/manage/consultations/").status_code == 200
    auth.logout()
    assert client.get("/manage/consultations/").status_code == 302


def test_wrong_password_is_refused(client, auth, planner):
    response = auth.login(planner, password="wrong password!")
    assert response.status_code == 200
    assert client.get("/manage/consultations/").status_code == 302


def test_survey_fixture_builds_every_question_kind(db, create_survey, create_invitation):
    from civic.outreach.links import find_invitation
    from civic.outreach.models import InvitationLink
    from civic.surveys.models import QuestionKind

    survey = create_survey()
    assert {q.kind for q in survey.questions} == set(QuestionKind)
    invitation, token = create_invitation(survey.consultation, age_band="30-44")
    assert len(token) >= 22
    assert find_invitation(db.session, token) == invitation
    assert token not in {link.token_hash for link in db.session.query(InvitationLink)}
