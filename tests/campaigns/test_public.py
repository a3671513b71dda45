"""The resident's "stop reminders" page: GET asks, POST stops (also RFC 8058 one-click), unknown tokens 404."""

from __future__ import annotations

import pytest

from civic.consultations.models import Access


@pytest.fixture
def invited(create_survey, create_invitation):
    consultation = create_survey(access=Access.INVITED).consultation
    invitation, token = create_invitation(consultation, age_band="30-44", district="Årvoll")
    return invitation, token


def test_get_asks_and_changes_nothing(client, db, invited, english_ui):
    invitation, token = invited
    response = client.get(f"/stop/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stop messages about “Parkering i Bjerke”?" in page
    assert f'action="/stop/{token}"' in page
    assert 'method="post"' in page
    assert '<html lang="en">' in page
    assert "Bydel Bjerke" in page  # the organisation's branding
    assert response.headers["Cache-Control"] == "no-store"
    db.session.refresh(invitation)
    assert invitation.reminders_stopped_at is None


def test_get_in_bokmal_by_default(client, invited):
    _, token = invited
    page = client.get(f"/stop/{token}").get_data(as_text=True)
    assert '<html lang="nb">' in page


def test_post_stops_reminders_idempotently(client, db, invited, english_ui):
    invitation, token = invited
    response = client.post(f"/stop/{token}")
    assert response.status_code == 200
    assert "You will not get more messages about “Parkering i Bjerke”" in response.get_data(as_text=True)
    db.session.refresh(invitation)
    stopped_at = invitation.reminders_stopped_at
    assert stopped_at is not None
    again = client.post(f"/stop/{token}")
    assert again.status_code == 200
    assert "were already stopped" in again.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.reminders_stopped_at == stopped_at
    assert "already stopped" in client.get(f"/stop/{token}").get_data(as_text=True)


def test_one_click_post_without_csrf_token(app, client, db, invited):
    app.config["WTF_CSRF_ENABLED"] = True
    invitation, token = invited
    response = client.post(
        f"/stop/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    db.session.refresh(invitation)
    assert invitation.reminders_stopped_at is not None


def test_unknown_token_is_a_friendly_404(client, english_ui):
    response = client.get("/stop/not-a-real-token")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)
    assert client.post("/stop/not-a-real-token").status_code == 404


def test_only_get_and_post(client, invited):
    _, token = invited
    assert client.put(f"/stop/{token}").status_code == 405
    assert client.delete(f"/stop/{token}").status_code == 405


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "STOP_RATE_LIMIT": "2 per minute"}

    def test_stop_is_rate_limited(self, client, invited, english_ui):
        _, token = invited
        assert client.get(f"/stop/{token}").status_code == 200
        assert client.get("/stop/guess-1").status_code == 404
        response = client.get("/stop/guess-2")
        assert response.status_code == 429
        assert "Too many attempts" in response.get_data(as_text=True)
