"""The public overview of published reports: listing, search, district and theme filters, paging, htmx."""

from __future__ import annotations

import re

from civic.reports import overview
from civic.reports.models import ReportState, Theme

URL = "/reports/bjerke"


def _titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/r/[^"]+">([^<]+)</a></h3>', page)


def test_unknown_organisation_is_404(client, organisation):
    assert client.get("/reports/no-such-place").status_code == 404


def test_lists_published_reports_newest_first_with_headline_figures(client, db, make_report, days,
                                                                   create_organisation):
    old = make_report("Eldre rapport", published_at=days(30), districts=["Årvoll"], theme=Theme.ENVIRONMENT)
    make_report("Ny rapport", published_at=days(1), respondents=1100, response_rate=0.183, statements=3)
    make_report("Utkast", state=ReportState.DRAFT)
    unpublished = make_report("Trukket tilbake")
    unpublished.state = ReportState.DRAFT  # was published, then taken off its address
    other = create_organisation(slug="alna", name="Bydel Alna")
    make_report("Alnas rapport", org=other)
    db.session.commit()

    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _titles(page) == ["Ny rapport", "Eldre rapport"]
    assert "Utkast" not in page
    assert "Trukket tilbake" not in page
    assert "Alnas rapport" not in page
    assert "2 reports" in page
    assert f'href="/r/{old.consultation.public_id}"' in page
    assert "Took part" in page
    assert "1,100" in page
    assert "Response rate" in page
    assert "18%" in page
    assert "Formal statements" in page  # 3 statements; the older report's 0 statements are not shown
    assert page.count("Formal statements") == 1
    assert "Environment and climate" in page
    assert "Årvoll" in page
    assert "The whole municipality" in page
    assert "Bydel Bjerke" in page  # the municipality's branding in the header


def test_search_reads_the_readers_language_and_the_reports_texts(client, make_report):
    make_report({"nb": "Parkering i Økern", "en": "Parking in Økern"})
    make_report({"nb": "Lekeplasser"}, what_we_heard={"nb": "Mange ønsker flere benker ved lekeplassen."})
    make_report({"nb": "Skolevei"}, summary={"nb": "Trygg vei til Årvoll skole"})

    assert _titles(client.get(URL + "?q=parking&lang=en").get_data(as_text=True)) == ["Parking in Økern"]
    assert _titles(client.get(URL + "?q=parking&lang=nb").get_data(as_text=True)) == []
    assert _titles(client.get(URL + "?q=PARKERING+økern&lang=nb").get_data(as_text=True)) == ["Parkering i Økern"]
    assert _titles(client.get(URL + "?q=benker&lang=nb").get_data(as_text=True)) == ["Lekeplasser"]
    assert _titles(client.get(URL + "?q=årvoll+skole&lang=nb").get_data(as_text=True)) == ["Skolevei"]


def test_filters_by_district_and_theme_in_sql(client, db, organisation, make_report, days):
    make_report("Årvoll", districts=["Årvoll"], theme=Theme.TRAFFIC, published_at=days(3))
    make_report("Årvoll Nord", districts=["Årvoll Nord"], theme=Theme.TRAFFIC, published_at=days(2))
    make_report("Hele bydelen", districts=[], theme=Theme.ENVIRONMENT, published_at=days(1))
    make_report("Linderud", districts=["Linderud", "Veitvet"], theme=Theme.ENVIRONMENT, published_at=days(4))
    make_report("100% _gata", districts=["100% _gata"], theme=Theme.OTHER, published_at=days(5))

    def titles(**args):
        filters = overview.OverviewFilters(**args)
        return [item.title["nb"] for item in overview.search(db.session, organisation, filters, "nb").items]

    # A report about the whole municipality concerns every district.
    assert titles(district="Årvoll") == ["Hele bydelen", "Årvoll"]
    assert titles(district="Veitvet") == ["Hele bydelen", "Linderud"]
    assert titles(district="100% _gata") == ["Hele bydelen", "100% _gata"]  # LIKE wildcards are escaped
    assert titles(district="100") == ["Hele bydelen"]
    assert titles(theme="environment") == ["Hele bydelen", "Linderud"]
    assert titles(theme="environment", district="Linderud") == ["Hele bydelen", "Linderud"]
    assert titles(theme="no-such-theme") == []
    page = overview.search(db.session, organisation, overview.OverviewFilters(), "nb")
    assert page.districts == ["100% _gata", "Linderud", "Veitvet", "Årvoll", "Årvoll Nord"]
    assert page.themes == ["environment", "other", "traffic"]

    response = client.get(URL, query_string={"district": "Årvoll", "theme": "traffic"})
    assert _titles(response.get_data(as_text=True)) == ["Årvoll"]
    assert '<option value="Årvoll" selected>' in response.get_data(as_text=True)


def test_paging_twenty_per_page(client, make_report, days):
    for n in range(25):
        make_report(f"Rapport {n:02d}", published_at=days(n))
    first = client.get(URL).get_data(as_text=True)
    assert _titles(first) == [f"Rapport {n:02d}" for n in range(20)]
    assert "page 1 of 2" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get(URL + "?page=2").get_data(as_text=True)
    assert _titles(second) == [f"Rapport {n:02d}" for n in range(20, 25)]
    assert 'href="/reports/bjerke"' in second  # back to page 1 without ?page=1
    assert _titles(client.get(URL + "?page=99").get_data(as_text=True)) == _titles(second)  # the last page
    assert _titles(client.get(URL + "?page=abc").get_data(as_text=True)) == _titles(first)
    filtered = client.get(URL + "?q=Rapport+2&page=1").get_data(as_text=True)
    assert _titles(filtered) == ["Rapport 02", "Rapport 12", *(f"Rapport {n}" for n in range(20, 25))]
    assert 'rel="next"' not in filtered


def test_no_match_says_so_with_a_reset_link(client, make_report):
    make_report("Parkering")
    page = client.get(URL + "?q=svømmehall").get_data(as_text=True)
    assert "No reports match your search." in page
    assert '<a href="/reports/bjerke">Show all reports</a>' in page
    assert 'value="svømmehall"' in page  # what the reader typed is kept


def test_organisation_without_reports(client, organisation, make_report):
    make_report("Utkast", state=ReportState.DRAFT)
    page = client.get(URL).get_data(as_text=True)
    assert "Bydel Bjerke has not published any reports yet." in page
    assert "No reports match" not in page


def test_htmx_gets_the_results_only(client, htmx_client, make_report):
    make_report("Parkering")
    make_report("Skolevei")
    fragment = htmx_client.get(URL + "?q=skole")
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="overview-filters"' not in html
    assert html.lstrip().startswith('<section id="overview-results"')
    assert _titles(html) == ["Skolevei"]
    assert "HX-Request" in fragment.headers["Vary"]
    full = client.get(URL + "?q=skole").get_data(as_text=True)
    assert "<html" in full
    assert 'hx-get="/reports/bjerke"' in full
    assert 'hx-target="#overview-results"' in full


def test_language_follows_the_reader(client, make_report):
    make_report({"nb": "Parkering", "en": "Parking"})
    page = client.get(URL + "?lang=nb").get_data(as_text=True)
    assert '<html lang="nb">' in page
    assert _titles(page) == ["Parkering"]
    page = client.get(URL + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert _titles(page) == ["Parking"]


def test_front_page_links_the_overview_when_there_are_reports(client, make_report):
    assert "/reports/bjerke" not in client.get("/").get_data(as_text=True)
    make_report("Utkast", state=ReportState.DRAFT)
    assert "/reports/bjerke" not in client.get("/").get_data(as_text=True)
    make_report("Parkering")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports/bjerke"' in page
    assert "Published reports" in page
