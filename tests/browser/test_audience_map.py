"""The audience map in a real browser: draw an area, the htmx preview follows; clear it; no CSP or JS errors."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from civic.accounts import services
from civic.accounts.models import Organisation, Role
from civic.campaigns.models import Campaign
from civic.campaigns.views import audience as views
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.tokens import new_token
from civic.extensions import db
from civic.registry import factory
from tests.browser.conftest import axe_violations
from tests.campaigns.audience_registry import TODAY, fixture_registry

pytestmark = pytest.mark.browser
SIZE = "audience-browser-fixture"
PASSWORD = "a long demo password"


@pytest.fixture
def audience_page(live_app, live_server, desktop, monkeypatch):
    monkeypatch.setitem(factory._cache, ("synthetic", SIZE, None), fixture_registry())
    monkeypatch.setitem(live_app.config, "REGISTRY_SYNTHETIC_SIZE", SIZE)
    monkeypatch.setattr(views, "today_in_oslo", lambda: TODAY)
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke")
    db.session.add(organisation)
    services.create_staff(db.session, organisation, email="p@bjerke.example", name="Planner",
                          role=Role.PLANNER, password=PASSWORD)
    consultation = Consultation(organisation=organisation, public_id=new_token()[:16], kind=ConsultationKind.SURVEY,
                                state=ConsultationState.OPEN, title={"nb": "Parkering"})
    db.session.add(consultation)
    db.session.flush()
    campaign = Campaign(organisation_id=organisation.id, consultation_id=consultation.id, name="Parkering",
                        token_salt="s" * 32)
    db.session.add(campaign)
    db.session.commit()
    desktop.goto(f"{live_server}/manage/login")
    desktop.fill("#email", "p@bjerke.example")
    desktop.fill("#password", PASSWORD)
    desktop.keyboard.press("Enter")
    desktop.wait_for_url("**/manage/consultations/")
    desktop.goto(f"{live_server}/manage/campaigns/{campaign.id}/audience")
    return desktop


def test_draw_an_area_and_the_preview_follows(audience_page) -> None:
    page = audience_page
    assert page.locator("#count-matched").inner_text() == "30"
    box_locator = page.locator("#audience-map")
    box_locator.wait_for(state="visible")
    page.wait_for_timeout(500)  # the GeoJSON fetch and fitBounds
    box_locator.scroll_into_view_if_needed()
    box = box_locator.bounding_box()
    assert box is not None
    # Click near the four corners of the map (clear of the zoom buttons): after fitting the district to the
    # map, every address point is inside.
    w, h = box["width"], box["height"]
    for fx, fy in ((0.1, 0.05), (0.9, 0.05), (0.9, 0.95), (0.1, 0.95)):
        page.mouse.click(box["x"] + fx * w, box["y"] + fy * h)
        page.wait_for_timeout(50)
    page.locator("[data-map-action=finish]").click()
    ring = json.loads(page.locator("#polygon").input_value())
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    # Everyone with a known address is inside: 29 of 30 (one resident has no address).
    expect(page.locator("#count-matched")).to_have_text("29")

    page.locator("[data-map-action=clear]").click()
    assert page.locator("#polygon").input_value() == ""
    expect(page.locator("#count-matched")).to_have_text("30")

    # A hand-typed ring that does not close: the specific message appears in the preview.
    page.fill("#polygon", "[[10.80, 59.93], [10.86, 59.93], [10.86, 59.96]]")
    page.locator("#polygon").dispatch_event("change")
    page.wait_for_selector("#audience-error")
    assert page.locator("#audience-error").inner_text()
    assert page.csp_errors == []
    assert page.js_errors == []


def test_audience_page_has_no_accessibility_violations(audience_page) -> None:
    audience_page.locator("#audience-map").wait_for(state="visible")
    assert axe_violations(audience_page) == []


def test_draw_with_the_keyboard_only(audience_page) -> None:
    page = audience_page
    page.locator("#audience-map").wait_for(state="visible")
    page.wait_for_timeout(500)
    centre = page.locator("[data-map-action=centre]")
    map_box = page.locator("#audience-map")
    for pan in (None, "ArrowLeft", "ArrowUp"):
        if pan:
            map_box.focus()
            for _ in range(3):
                page.keyboard.press(pan)
            page.wait_for_timeout(300)  # the pan animation
        centre.focus()
        page.keyboard.press("Enter")
    page.locator("[data-map-action=finish]").focus()
    with page.expect_response("**/audience/preview") as preview:
        page.keyboard.press("Enter")
    assert preview.value.status in (200, 422)  # counts, or "covers nobody" if the triangle misses every address
    ring = json.loads(page.locator("#polygon").input_value())
    assert len(ring) == 4
    assert ring[0] == ring[-1]
    assert len({tuple(p) for p in ring}) == 3
    assert page.js_errors == []
