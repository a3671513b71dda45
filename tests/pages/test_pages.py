"""The accessibility statement and the data-protection page: per organisation, from its data, linked from every page."""

from __future__ import annotations

import html as html_text
import json
import re
from pathlib import Path

import pytest

from civic.accounts.models import OrganisationKind
from civic.pages import statement

ROOT = Path(__file__).resolve().parents[2]


def _footer_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="about-links".*?</nav>', html, re.S)
    assert nav is not None, "the footer has no links to the statement and the data-protection page"
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.mark.usefixtures("english_ui")
def test_statement_is_built_from_the_organisations_data(client, create_organisation):
    create_organisation(contact_email="postmottak@bjerke.example")
    response = client.get("/about/bjerke/accessibility")
    assert response.status_code == 200
    html = html_text.unescape(response.get_data(as_text=True))
    assert "Accessibility statement" in html
    assert "Bydel Bjerke's surveys, hearings and focus groups" in html
    assert 'href="mailto:postmottak@bjerke.example"' in html
    assert "The pages partly meet the requirements." in html
    assert f'<time datetime="{statement.LAST_EVALUATION.isoformat()}">' in html
    for url in (statement.COMPLAINT_URL, statement.SUPERVISOR_URL, statement.REGISTER_URL):
        assert f'href="{url}"' in html
    for item in statement.limitations():
        assert str(item.text) in html
    assert f"axe-core {statement.AXE_CORE_VERSION}" in html
    assert 'href="/about/bjerke/privacy"' in html


@pytest.mark.usefixtures("english_ui")
def test_statement_says_so_when_the_organisation_gave_no_contact_address(client, organisation):
    html = client.get("/about/bjerke/accessibility").get_data(as_text=True)
    assert "mailto:" not in html
    assert "Bydel Bjerke has not given a contact address on this page yet" in html


@pytest.mark.usefixtures("english_ui")
@pytest.mark.parametrize(
    ("kind", "controller"),
    [(OrganisationKind.DISTRICT, "Oslo kommune"), (OrganisationKind.MUNICIPALITY, "Bydel Bjerke")],
)
def test_the_data_controller_is_the_municipality(client, create_organisation, kind, controller):
    create_organisation(kind=kind)
    html = client.get("/about/bjerke/privacy").get_data(as_text=True)
    assert f"{controller} is the data controller" in html


@pytest.mark.usefixtures("english_ui")
@pytest.mark.parametrize(("months", "text"), [(1, "anonymous 1 month after"), (6, "anonymous 6 months after")])
def test_data_protection_states_the_organisations_retention(client, create_organisation, months, text):
    create_organisation(free_text_retention_months=months)
    html = client.get("/about/bjerke/privacy").get_data(as_text=True)
    assert text in html
    for fact in ("What civic does not store", "Datatilsynet", "personal link", "GDPR Article 6(1)(e)",
                 'href="https://www.datatilsynet.no/"', 'href="/about/bjerke/accessibility"'):
        assert fact in html


@pytest.mark.parametrize("page", ["accessibility", "privacy"])
def test_an_unknown_organisation_is_not_found(client, organisation, page):
    assert client.get(f"/about/nowhere/{page}").status_code == 404


@pytest.mark.parametrize(("page", "heading"), [("accessibility", "Accessibility statement"),
                                               ("privacy", "Data protection when you take part")])
@pytest.mark.usefixtures("english_ui")
def test_without_an_organisation_in_the_url_the_only_one_is_shown(client, organisation, page, heading):
    html = client.get(f"/about/{page}").get_data(as_text=True)
    assert f"<h1 id=\"{'statement' if page == 'accessibility' else 'privacy'}-title\">{heading}</h1>" in html


@pytest.mark.usefixtures("english_ui")
def test_with_several_organisations_the_resident_chooses(client, create_organisation):
    create_organisation()
    create_organisation(slug="oslo", name="Oslo kommune", kind=OrganisationKind.MUNICIPALITY, parent_name="")
    html = client.get("/about/accessibility").get_data(as_text=True)
    assert "Choose yours" in html
    assert 'href="/about/bjerke/accessibility"' in html
    assert 'href="/about/oslo/accessibility"' in html
    html = client.get("/about/privacy").get_data(as_text=True)
    assert 'href="/about/oslo/privacy"' in html


@pytest.mark.usefixtures("english_ui")
def test_with_no_organisation_the_page_says_so(client, db):
    response = client.get("/about/privacy")
    assert response.status_code == 200
    assert "No organisation uses this installation of civic yet." in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "html_lang"), [("nb", "nb"), ("nn", "nn"), ("en", "en")])
@pytest.mark.parametrize("page", ["accessibility", "privacy"])
def test_pages_in_every_language(client, organisation, page, lang, html_lang):
    response = client.get(f"/about/bjerke/{page}?lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{html_lang}">' in response.get_data(as_text=True)


def test_resident_pages_link_to_their_organisations_pages(client, create_survey, create_hearing):
    survey = create_survey()
    hearing = create_hearing()
    for path in (f"/s/{survey.consultation.public_id}", f"/h/{hearing.consultation.public_id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _footer_links(response.get_data(as_text=True)) == ["/about/bjerke/accessibility",
                                                                  "/about/bjerke/privacy"], path


def test_pages_without_an_organisation_link_to_the_general_pages(client, db):
    for path, status in (("/", 200), ("/s/missing", 404), ("/manage/login", 200)):
        response = client.get(path)
        assert response.status_code == status, path
        assert _footer_links(response.get_data(as_text=True)) == ["/about/accessibility", "/about/privacy"], path


def test_the_statement_names_the_axe_core_the_tests_run():
    installed = json.loads((ROOT / "node_modules/axe-core/package.json").read_text())["version"]
    assert installed == statement.AXE_CORE_VERSION
