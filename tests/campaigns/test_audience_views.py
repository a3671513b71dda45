"""The audience builder pages: full page, htmx preview, no-JS preview, save, errors, the area GeoJSON."""

from __future__ import annotations

import json
import re

import pytest

from civic.campaigns.models import Campaign, CampaignState, ChannelPolicy
from civic.campaigns.views import audience as views
from civic.consultations.models import ConsultationState
from civic.registry import factory
from civic.registry.types import RegistryError
from tests.campaigns.audience_registry import (
    ADDRESSES,
    EMPTY_RING,
    LINDERUD_RING,
    PEOPLE,
    TODAY,
    fixture_registry,
)

SIZE = "audience-test-fixture"


@pytest.fixture
def registry(app, monkeypatch):
    """The hand-made 30-resident registry, served by registry_from_config; today is the fixture's TODAY."""
    bundle = fixture_registry()
    monkeypatch.setitem(app.config, "REGISTRY_SYNTHETIC_SIZE", SIZE)
    monkeypatch.setitem(factory._cache, ("synthetic", SIZE, None), bundle)
    monkeypatch.setattr(views, "today_in_oslo", lambda: TODAY)
    return bundle


@pytest.fixture
def make_audience_campaign(db, organisation, create_survey):
    def _make(org=None, state=CampaignState.DRAFT, criteria=None) -> Campaign:
        org = org or organisation
        consultation = create_survey(state=ConsultationState.OPEN).consultation
        consultation.organisation_id = org.id
        campaign = Campaign(
            organisation_id=org.id, consultation_id=consultation.id, name="Parkering på Linderud",
            token_salt="s" * 32, state=state, criteria=criteria or {},
        )
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return _make


@pytest.fixture
def campaign(make_audience_campaign) -> Campaign:
    return make_audience_campaign()


def url(campaign: Campaign, suffix: str = "") -> str:
    return f"/manage/campaigns/{campaign.id}/audience{suffix}"


def count(html: str, name: str) -> str:
    match = re.search(rf'id="count-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def form(**values) -> dict:
    data = {"channel_policy": "email_then_sms"}
    data.update(values)
    return data


# ------------------------------------------------------------------------------------------------ GET


def test_full_page_shows_form_map_and_counts_of_stored_criteria(
    client, english_ui, logged_in_planner, registry, make_audience_campaign
) -> None:
    campaign = make_audience_campaign(criteria={"sub_districts": ["Veitvet"]})
    response = client.get(url(campaign))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'hx-post="/manage/campaigns/{campaign.id}/audience/preview"' in html
    assert 'hx-trigger="change delay:300ms"' in html
    assert "/vendor/leaflet.js" in html
    assert "js/audience-map.js" in html
    assert "css/audience.css" in html
    assert f'data-geojson-url="/manage/campaigns/{campaign.id}/audience/area.geojson"' in html
    assert 'data-tile-url=""' in html  # no remote tiles unless MAP_TILE_URL is configured
    assert re.search(r"<input[^>]*checked[^>]*value=\"Veitvet\"", html)
    assert '<option value="Linderudsletta">' in html  # the streets datalist
    assert "never contacted and never located" in html  # the protected-address policy
    # Veitvet: 10 matched, 4 by e-mail, 2 by SMS, and 1 each in four other groups (shown as fewer than 5).
    assert count(html, "matched") == "10"
    assert count(html, "reachable-email") == "fewer than 5"
    assert count(html, "reserved") == "fewer than 5"
    assert count(html, "not-active") == "0"
    assert response.vary.find("HX-Request") >= 0


def test_page_for_a_new_campaign_counts_everyone(client, english_ui, logged_in_planner, registry, campaign) -> None:
    html = client.get(url(campaign)).get_data(as_text=True)
    assert count(html, "matched") == "30"
    assert count(html, "reachable-email") == "10"
    assert count(html, "reachable-sms") == "6"


# ------------------------------------------------------------------------------------------------ preview


def test_htmx_preview_returns_the_fragment_with_counts(
    htmx_client, english_ui, logged_in_planner, registry, campaign
) -> None:
    response = htmx_client.post(url(campaign, "/preview"), data=form(polygon=json.dumps(LINDERUD_RING)))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<section id="audience-preview"' in html
    assert "<form" not in html
    assert count(html, "matched") == "10"
    assert count(html, "reachable-email") == "fewer than 5"
    assert count(html, "stale") == "fewer than 5"
    assert count(html, "reserved") == "0"


def test_htmx_preview_with_age_and_policy(htmx_client, english_ui, logged_in_planner, registry, campaign) -> None:
    html = htmx_client.post(url(campaign, "/preview"), data=form(channel_policy="email")).get_data(as_text=True)
    assert count(html, "reachable-email") == "10"
    assert count(html, "reachable-sms") == "0"
    assert count(html, "no-contact") == "9"
    html = htmx_client.post(url(campaign, "/preview"), data=form(age_min="30", age_max="50")).get_data(as_text=True)
    assert count(html, "matched") == "13"
    assert count(html, "reachable-email") == "5"


def test_htmx_preview_invalid_criteria_is_422_with_the_message(
    htmx_client, english_ui, logged_in_planner, registry, campaign
) -> None:
    response = htmx_client.post(url(campaign, "/preview"), data=form(age_min="50", age_max="30"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The lowest age (50) is above the highest age (30)." in html
    assert 'role="alert"' in html
    response = htmx_client.post(url(campaign, "/preview"), data=form(polygon=json.dumps(EMPTY_RING)))
    assert response.status_code == 422
    assert "covers nobody" in response.get_data(as_text=True)


def test_no_js_preview_renders_the_full_page_and_keeps_the_input(
    client, english_ui, logged_in_planner, registry, campaign
) -> None:
    response = client.post(url(campaign, "/preview"), data=form(streets="Årvollveien", age_min="30"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<form" in html
    assert re.search(r"<textarea[^>]*name=\"streets\"[^>]*>\s*Årvollveien</textarea>", html)
    assert 'value="30"' in html
    assert count(html, "matched") == "7"  # Årvollveien aged 30+: persons 2, 3, 4, 5, 6, 26 and 30 (protected)


def test_invalid_polygon_keeps_the_input_on_the_full_page(
    client, english_ui, logged_in_planner, registry, campaign, db
) -> None:
    crossing = "[[10.8, 59.9], [10.9, 60.0], [10.9, 59.9], [10.8, 60.0], [10.8, 59.9]]"
    for target in (url(campaign, "/preview"), url(campaign)):
        response = client.post(target, data=form(polygon=crossing, age_min="40"))
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "edges cross each other" in html
        assert crossing in html
        assert 'value="40"' in html
    db.session.refresh(campaign)
    assert campaign.criteria == {}


def test_unreadable_polygon_and_unknown_street(client, english_ui, logged_in_planner, registry, campaign) -> None:
    response = client.post(url(campaign, "/preview"), data=form(polygon="somewhere near the school"))
    assert response.status_code == 422
    assert "The area could not be read" in response.get_data(as_text=True)
    response = client.post(url(campaign, "/preview"), data=form(streets="Årvollveien\nStorgata"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No such street in the address register: Storgata." in html
    assert "Årvollveien\nStorgata</textarea>" in html
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*name="streets"', html)
    assert re.search(r'id="streets-error" role="alert">No such street', html)
    response = client.post(url(campaign, "/preview"), data=form(age_min="50", age_max="30"))
    assert re.search(r'id="age_min-error" role="alert">The lowest age \(50\)', response.get_data(as_text=True))


def test_registry_failure_is_a_message_not_a_500(
    client, htmx_client, english_ui, logged_in_planner, registry, campaign
) -> None:
    registry.population.fail = True
    response = htmx_client.post(url(campaign, "/preview"), data=form())
    assert response.status_code == 503
    assert "The registries did not answer" in response.get_data(as_text=True)
    response = client.get(url(campaign))
    assert response.status_code == 200
    assert "The registries did not answer" in response.get_data(as_text=True)
    response = client.post(url(campaign), data=form(age_min="20"))
    assert response.status_code == 503
    assert 'value="20"' in response.get_data(as_text=True)


def test_registry_error_message_is_not_leaked_verbatim(
    client, english_ui, logged_in_planner, registry, campaign, monkeypatch
) -> None:
    def broken(*args, **kwargs):
        raise RegistryError("secret-upstream-detail")

    monkeypatch.setattr(registry.contacts, "lookup", broken)
    response = client.post(url(campaign, "/preview"), data=form())
    assert response.status_code == 503
    assert "secret-upstream-detail" not in response.get_data(as_text=True)


# ------------------------------------------------------------------------------------------------ save


def test_save_stores_criteria_policy_and_aggregate_counts(
    client, english_ui, logged_in_planner, registry, campaign, db
) -> None:
    response = client.post(
        url(campaign),
        data=form(
            age_min="30", age_max="50", sub_districts=["Veitvet", "Linderud"], streets="", street_add="Veitvetveien",
            child_age_min="5", child_age_max="12", languages=["nb"], channel_policy="sms",
            polygon="",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(campaign))
    db.session.refresh(campaign)
    assert campaign.criteria == {
        "age_min": 30, "age_max": 50, "sub_districts": ["Veitvet", "Linderud"], "polygon": None,
        "streets": ["Veitvetveien"], "child_age_min": 5, "child_age_max": 12, "languages": ["nb"],
    }
    assert campaign.channel_policy == ChannelPolicy.SMS
    preview = campaign.counts["preview"]
    # Veitvetveien, 30–50, children 5–12: persons 18 (e-mail only), 19 (protected), 23 (reserved), 24 (SMS).
    keys = ("matched", "reachable", "reachable_sms", "reserved", "no_contact", "protected")
    assert {k: preview[k] for k in keys} == {
        "matched": 4, "reachable": 1, "reachable_sms": 1, "reserved": 1, "no_contact": 1, "protected": 1,
    }
    assert set(preview["by_segment"]) == {"age_band", "district", "household_type"}
    stored = json.dumps(campaign.counts)
    assert not any(p.national_id in stored or p.given_name in stored for p in PEOPLE)
    page = client.get(url(campaign)).get_data(as_text=True)
    assert "The audience is saved." in page
    assert '<option selected value="sms">' in page or 'value="sms" selected' in page


def test_save_with_htmx_redirects(htmx_client, logged_in_planner, registry, campaign) -> None:
    response = htmx_client.post(url(campaign), data=form(age_min="18"))
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(url(campaign))


def test_save_polygon_from_the_map(client, logged_in_planner, registry, campaign, db) -> None:
    response = client.post(url(campaign), data=form(polygon=json.dumps(LINDERUD_RING)))
    assert response.status_code == 303
    db.session.refresh(campaign)
    assert campaign.criteria["polygon"] == LINDERUD_RING
    assert campaign.counts["preview"]["matched"] == 10
    html = client.get(url(campaign)).get_data(as_text=True)
    assert "[10.835000, 59.935000]" in html  # shown again in the polygon textarea


@pytest.mark.parametrize("state", [CampaignState.SENDING, CampaignState.SENT, CampaignState.CANCELLED])
def test_save_refused_after_sending_started(
    client, english_ui, logged_in_planner, registry, make_audience_campaign, db, state
) -> None:
    campaign = make_audience_campaign(state=state, criteria={"age_min": 20})
    response = client.post(url(campaign), data=form(age_min="60"))
    assert response.status_code == 409
    assert "cannot be changed once the campaign has started sending" in response.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.criteria == {"age_min": 20}


def test_scheduled_campaign_can_still_be_changed(client, logged_in_planner, registry, make_audience_campaign, db):
    campaign = make_audience_campaign(state=CampaignState.SCHEDULED)
    assert client.post(url(campaign), data=form(age_min="60")).status_code == 303
    db.session.refresh(campaign)
    assert campaign.criteria["age_min"] == 60


# ------------------------------------------------------------------------------------------------ access, GeoJSON


def test_other_organisation_gets_404(
    client, logged_in_planner, registry, make_audience_campaign, create_organisation
) -> None:
    other = make_audience_campaign(org=create_organisation(slug="grorud", name="Bydel Grorud"))
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other, "/preview"), data=form()).status_code == 404
    assert client.post(url(other), data=form()).status_code == 404
    assert client.get(url(other, "/area.geojson")).status_code == 404
    assert client.get("/manage/campaigns/999999/audience").status_code == 404


def test_anonymous_is_sent_to_login(client, registry, campaign) -> None:
    response = client.get(url(campaign))
    assert response.status_code in (302, 303, 401)


def test_area_geojson_has_outline_and_address_points_only(client, logged_in_planner, registry, campaign) -> None:
    response = client.get(url(campaign, "/area.geojson"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds == ["area", "addresses"]
    assert data["features"][0]["geometry"]["type"] == "Polygon"
    points = data["features"][1]["geometry"]["coordinates"]
    assert sorted(map(tuple, points)) == sorted((a.lon, a.lat) for a in ADDRESSES)
    text = response.get_data(as_text=True)
    for person in PEOPLE:
        assert person.national_id not in text
        assert person.given_name not in text
        assert person.family_name not in text
    assert "Årvollveien" not in text  # not even street names: points only


# ------------------------------------------------------------------------------------------------ bundled registry


@pytest.fixture
def bjerke(app, monkeypatch):
    """The bundled synthetic Bydel Bjerke registry (the default configuration)."""
    monkeypatch.setitem(app.config, "REGISTRY_BACKEND", "synthetic")
    monkeypatch.setitem(app.config, "REGISTRY_SYNTHETIC_SIZE", "bjerke")
    return factory.registry_from_config(app.config)


def test_synthetic_bjerke_preview_matches_the_service(
    htmx_client, english_ui, logged_in_planner, bjerke, campaign
) -> None:
    from civic.campaigns.audience import AudienceCriteria, count_audience

    names = bjerke.addresses.area().sub_districts
    assert names
    data = form(age_min="30", age_max="50", sub_districts=[names[0]])
    html = htmx_client.post(url(campaign, "/preview"), data=data).get_data(as_text=True)
    expected = count_audience(
        bjerke, AudienceCriteria(age_min=30, age_max=50, sub_districts=(names[0],)),
        ChannelPolicy.EMAIL_THEN_SMS, views.today_in_oslo(),
    )
    assert expected.matched > 100
    assert count(html, "matched") == f"{expected.matched:,}"
    assert count(html, "reachable-email") == f"{expected.reachable_email:,}"


def test_synthetic_bjerke_page_and_geojson(client, logged_in_planner, bjerke, campaign) -> None:
    page = client.get(url(campaign))
    assert page.status_code == 200
    response = client.get(url(campaign, "/area.geojson"))
    data = response.get_json()
    points = data["features"][1]["geometry"]["coordinates"]
    assert len(points) == len(bjerke.addresses.addresses())
    text = response.get_data(as_text=True)
    for person in next(iter(bjerke.population.residents(_everyone())))[:200]:
        assert person.national_id not in text
        assert person.given_name not in text  # no names at all (the outline's name is "Bydel Bjerke")


def _everyone():
    from civic.registry.types import PopulationQuery

    return PopulationQuery(municipality="0301")
