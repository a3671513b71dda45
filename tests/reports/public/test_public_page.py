"""The public report page: published only, every chosen section, hidden numbers read "hidden", caching."""

from __future__ import annotations

import re

from civic.reports.models import ReportState, Section
from civic.reports.views_public import page_cache

from .conftest import FORMULA, html_tables


def _url(report) -> str:
    return f"/r/{report.consultation.public_id}"


def test_published_report_shows_every_chosen_section_in_order(client, published):
    response = client.get(_url(published))
    assert response.status_code == 200
    html = response.text
    anchors = re.findall(r'<section class="report-section[^"]*" id="section-([a-z-]+)"', html)
    # Outcomes shows only once its template exists (written by another part of the reports).
    expected = [s.value.replace("_", "-") for s in Section if s.value in published.sections]
    assert [a for a in anchors if a != "outcomes"] == [a for a in expected if a != "outcomes"]
    for anchor in anchors:
        assert f'href="#section-{anchor}"' in html  # in the table of contents
    assert "Parking in Bjerke" in html  # the English title (the tests' browsers ask for English)
    assert "Many want resident parking." in html
    assert 'rel="alternate" type="application/json"' in html


def test_planner_text_is_escaped_and_split_into_paragraphs(client, published):
    html = client.get(_url(published) + "?lang=nb").text
    assert '<p class="planner-text">Mange vil ha beboerparkering.</p>' in html
    assert "&lt;b&gt;skoleveien&lt;/b&gt;" in html
    assert "<b>skoleveien</b>" not in html


def test_hidden_numbers_read_hidden_with_a_footnote(client, published):
    html = client.get(_url(published)).text
    assert ">hidden<" in html
    assert "fewer than 5 people, or a number hidden so that such a small one cannot be worked out" in html
    tables = html_tables(html)
    breakdown = tables["Answers to “Does your household have a car?” by district"]
    assert breakdown[0] == ["Answer", "Årvoll", "Linderud", "Smalvik"]
    assert [row[3] for row in breakdown[1:]] == ["hidden"] * 4  # the group's size and every answer in it
    assert breakdown[2][1] == "300 (50%)"
    answers = tables["Answers to “Does your household have a car?”"]
    assert answers[-1][1:] == ["hidden", "hidden"]
    assert "14 numbers are hidden in this report" in html


def test_under_represented_groups_are_named_in_words(client, published):
    html = client.get(_url(published)).text
    assert "Under-represented: 16–29 years" in html
    rows = html_tables(html)["Respondents by age band"]
    assert rows[0] == [
        "Age band",
        "Respondents",
        "Share of respondents",
        "Population",
        "Share of the population",
        "Represented",
    ]
    assert rows[1] == ["16–29 years", "150", "14%", "1,200", "20%", "0.68 under-represented"]
    assert rows[3][1:3] == ["hidden", "hidden"]


def test_each_chart_has_summary_and_open_data_table_without_js(client, published):
    html = client.get(_url(published)).text
    assert html.count('class="chart-figure"') == html.count("<details open>")
    assert "Most chose “No” (53%), then “Yes” (46%)." in html
    assert 'data-figure="' in html
    assert "<caption>Answers to “Does your household have a car?”</caption>" in html


def test_draft_unpublished_and_unknown_reports_are_not_found(client, db, published):
    assert client.get("/r/nosuchreport").status_code == 404
    published.state = ReportState.DRAFT
    db.session.commit()
    assert client.get(_url(published)).status_code == 404
    assert client.get(_url(published) + "/data.csv").status_code == 404


def test_page_is_cacheable_with_an_etag_and_answers_304(client, published):
    first = client.get(_url(published))
    assert first.headers["Cache-Control"] == "public, max-age=300"
    etag = first.headers["ETag"]
    assert etag
    assert "Set-Cookie" not in first.headers  # a shared page sets no cookie
    assert '"X-CSRFToken": ""' in first.text  # and carries no reader's CSRF token
    assert {"Accept-Language", "Cookie"} <= set(first.vary)  # the language may come from either
    again = client.get(_url(published), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other_language = client.get(_url(published) + "?lang=nn", headers={"If-None-Match": etag})
    assert other_language.status_code == 200
    assert other_language.headers["ETag"] != etag


def test_new_version_changes_the_etag_and_the_cached_page(app, client, db, published):
    first = client.get(_url(published))
    published.version += 1
    published.what_we_heard = {"en": "A new text."}
    db.session.commit()
    second = client.get(_url(published), headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert "A new text." in second.text
    assert len(page_cache(app)._pages) == 2


def test_cached_page_is_served_without_rendering(app, client, published, monkeypatch):
    client.get(_url(published))
    calls = []
    monkeypatch.setattr("civic.reports.views_public.render_report", lambda *a, **k: calls.append(1) or "x")
    assert "Parking in Bjerke" in client.get(_url(published)).text
    assert calls == []


def test_language_switch(client, published):
    nb = client.get(_url(published) + "?lang=nb").text
    nn = client.get(_url(published) + "?lang=nn").text
    en = client.get(_url(published) + "?lang=en").text
    assert '<html lang="nb">' in nb
    assert "<h1>Parkering i Bjerke</h1>" in nb
    assert '<html lang="nn">' in nn
    assert "<h1>Parkering i Bjerke bydel</h1>" in nn
    assert '<html lang="en">' in en
    assert "<h1>Parking in Bjerke</h1>" in en
    # The switch is made of links, each marking the current language.
    assert '<a href="?lang=nn" lang="nn" hreflang="nn" aria-current="true">' in nn
    # A content text without an English version falls back to bokmål.
    assert "Bydelsutvalget behandler saken i mars." in en


def test_no_formula_text_is_lost_on_the_page(client, published):
    # The page shows texts as written (escaped); only spreadsheets neutralise them.
    html = client.get(_url(published)).text
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;klikk&#34;)" in html or FORMULA.replace('"', "&#34;") in html
