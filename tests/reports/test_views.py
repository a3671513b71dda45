"""Results pages: full pages and htmx fragments, suppression, filters, search, permissions."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest

from civic.accounts.models import Role
from civic.consultations.models import ConsultationState
from tests.reports.conftest import FORMULA


def url(survey, suffix=""):
    return f"/manage/results/{survey.id}{suffix}"


def figures(page):
    """Return the Plotly figures serialised into the page's data-figure attributes."""
    return [json.loads(html.unescape(m)) for m in re.findall(r'data-figure="([^"]*)"', page)]


def test_results_page_shows_counts_and_lazy_panels(client, logged_in_planner, seeded):
    response = client.get(url(seeded))
    assert response.status_code == 200
    html = response.text
    assert "<html" in html
    assert 'data-count="submitted">10<' in html
    assert 'data-count="drafts">2<' in html
    assert 'hx-trigger="every 10s"' in html
    # One lazy placeholder per shown question, each with a link that works without JavaScript.
    assert html.count('hx-trigger="revealed"') == 9
    q0 = seeded.questions[0]
    assert f'href="/manage/results/{seeded.id}/questions/{q0.id}"' in html
    assert "Gammelt spørsmål" not in html  # archived questions are not shown
    assert "/vendor/plotly.min.js" in html
    assert "js/charts.js" in html
    # The per-day chart: JSON figure plus a real table and a summary.
    assert figures(html)[0]["data"][0]["y"] == [4, 0, 6]
    assert "<caption>" in html


def test_all_panels_render_server_side_without_js(client, logged_in_planner, seeded):
    html = client.get(url(seeded, "?all=1")).text
    assert 'hx-trigger="revealed"' not in html
    assert "Trygg skolevei" in html
    assert "Hvor mange biler har husstanden?" in html
    assert len(figures(html)) == 1 + 7  # counts + every question but the two free-text ones


def test_question_panel_full_page_and_fragment(client, htmx_client, logged_in_planner, seeded):
    q0 = seeded.questions[0]
    full = client.get(url(seeded, f"/questions/{q0.id}"))
    assert full.status_code == 200
    assert "<html" in full.text
    fragment = htmx_client.get(url(seeded, f"/questions/{q0.id}"))
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert f'id="question-{q0.id}-panel"' in fragment.text
    assert "<td>50%</td>" in fragment.text  # Ja: 5 of 10
    norwegian = htmx_client.get(url(seeded, f"/questions/{q0.id}"), headers={"Accept-Language": "nb"})
    assert "<td>50\xa0%</td>" in norwegian.text  # the locale's own percent style
    figure = figures(fragment.text)[0]
    assert figure["data"][0]["y"] == ["Annet", "Nei", "Ja"]
    assert "Har sykkel" in fragment.text  # "other" texts are listed


def test_scale_panel_shows_mean_and_median(htmx_client, logged_in_planner, seeded):
    html = htmx_client.get(url(seeded, f"/questions/{seeded.questions[2].id}")).text
    assert re.search(r"Mean</dt><dd>3[.,]6</dd>", html)
    assert re.search(r"Median</dt><dd>4</dd>", html)


def test_chart_json_is_escaped_in_its_attribute(db, htmx_client, logged_in_planner, seeded):
    seeded.questions[0].choices[0].label = {"nb": "</script><script>alert(1)</script>"}
    db.session.commit()
    html = htmx_client.get(url(seeded, f"/questions/{seeded.questions[0].id}")).text
    assert "<script>alert(1)" not in html
    assert figures(html)[0]["data"][0]["y"][-1] == "</script><script>alert(1)</script>"


def test_filters_apply_to_panels_and_small_groups_are_hidden(client, htmx_client, logged_in_planner, seeded):
    q0 = seeded.questions[0]
    arvoll = htmx_client.get(url(seeded, f"/questions/{q0.id}"), query_string={"district": "Årvoll"}).text
    assert "6 respondents answered" in arvoll
    hidden = htmx_client.get(url(seeded, f"/questions/{q0.id}"), query_string={"district": "Linderud"}).text
    assert "fewer than 5 respondents — hidden to protect anonymity" in hidden.lower()
    assert "Ja" not in hidden
    assert "data-figure" not in hidden
    page = client.get(url(seeded), query_string={"district": "Linderud"}).text
    assert 'data-count="submitted"' not in page
    assert "hidden to protect anonymity" in page
    # The filter travels to lazy panels, the polling counts and the exports.
    assert "district=Linderud" in page
    assert f"/manage/results/{seeded.id}/export.csv?district=Linderud" in page


def test_counts_fragment_and_its_no_js_fallback(client, htmx_client, logged_in_planner, seeded):
    fragment = htmx_client.get(url(seeded, "/counts"))
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert f'id="survey-{seeded.id}-counts"' in fragment.text
    plain = client.get(url(seeded, "/counts?district=%C3%85rvoll"))
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"/manage/results/{seeded.id}?district=%C3%85rvoll")


@pytest.fixture
def many_texts(db, create_survey, add_response):
    survey = create_survey()
    question = survey.questions[3]
    for i in range(25):
        add_response(
            survey,
            {question.id: {"text": f"Svar {i:02d}" + (" sykkel" if i % 5 == 0 else "")}},
            submitted_at=datetime(2026, 11, 1, 8, i, tzinfo=UTC),
        )
    db.session.commit()
    return survey, question


def test_free_text_search_fragment_and_full_page(client, htmx_client, logged_in_planner, many_texts):
    survey, question = many_texts
    texts_url = url(survey, f"/questions/{question.id}/texts")
    panel = htmx_client.get(url(survey, f"/questions/{question.id}")).text
    assert 'hx-trigger="keyup changed delay:300ms, search"' in panel
    assert 'hx-push-url="true"' in panel
    fragment = htmx_client.get(texts_url, query_string={"q": "sykkel"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.text.count("<li>") == 5
    assert "Svar 20 sykkel" in fragment.text
    assert "Svar 21" not in fragment.text
    # The pushed URL reloads as a full page with the search filled in.
    full = client.get(texts_url, query_string={"q": "sykkel"})
    assert "<html" in full.text
    assert 'value="sykkel"' in full.text
    assert full.text.count("sykkel</p>") == 5


def test_free_text_paging_newest_first(client, htmx_client, logged_in_planner, many_texts):
    survey, question = many_texts
    texts_url = url(survey, f"/questions/{question.id}/texts")
    first = htmx_client.get(texts_url).text
    assert first.count("<li>") == 20
    assert first.index("Svar 24") < first.index("Svar 23")
    assert "Svar 04" not in first
    assert f'{texts_url}?page=2"' in first
    second = client.get(texts_url, query_string={"page": 2}).text
    assert "<html" in second
    assert "Svar 04" in second
    assert "Svar 05" not in second.replace("Svar 05 sykkel", "")
    assert 'start="21"' in second


def test_viewer_can_view_but_not_export(client, auth, create_staff, seeded):
    viewer = create_staff(Role.VIEWER)
    auth.login(viewer)
    page = client.get(url(seeded))
    assert page.status_code == 200
    assert "export.csv" not in page.text
    assert client.get(url(seeded, "/export.csv")).status_code == 403
    assert client.get(url(seeded, "/export.xlsx")).status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PLANNER, Role.MODERATOR])
def test_exporting_roles(client, auth, create_staff, seeded, role):
    auth.login(create_staff(role))
    assert client.get(url(seeded, "/export.csv")).status_code == 200


def test_other_organisation_gets_404(client, auth, create_staff, create_organisation, seeded):
    other = create_organisation(slug="grorud", name="Bydel Grorud")
    auth.login(create_staff(Role.ADMIN, email="admin@grorud.example", org=other))
    q0 = seeded.questions[0]
    for suffix in (
        "",
        "/counts",
        f"/questions/{q0.id}",
        f"/questions/{q0.id}/texts",
        "/export.csv",
        "/export.xlsx",
    ):
        assert client.get(url(seeded, suffix)).status_code == 404, suffix
    assert "Parkering i Bjerke" not in client.get("/manage/results/").text


def test_archived_or_foreign_question_is_404(db, client, logged_in_planner, seeded, create_survey):
    archived = next(q for s in seeded.sections for q in s.questions if q.is_archived)
    assert client.get(url(seeded, f"/questions/{archived.id}")).status_code == 404
    other = create_survey()
    assert client.get(url(seeded, f"/questions/{other.questions[0].id}")).status_code == 404


def test_anonymous_is_sent_to_login(client, seeded):
    response = client.get(url(seeded))
    assert response.status_code == 302
    assert "/manage/login" in response.headers["Location"]


def test_index_lists_surveys_with_counts(client, logged_in_planner, seeded):
    html = client.get("/manage/results/").text
    assert "Parkering i Bjerke" in html
    assert ">10<" in html
    assert 'href="/manage/results/' in html


def test_map_panel_draws_outline_when_present(app, htmx_client, logged_in_planner, seeded, tmp_path):
    geo = tmp_path / "geo"
    geo.mkdir()
    ring = [[10.79, 59.92], [10.82, 59.92], [10.82, 59.95], [10.79, 59.92]]
    (geo / "bjerke.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}],
            }
        )
    )
    app.static_folder = str(tmp_path)
    html = htmx_client.get(url(seeded, f"/questions/{seeded.questions[8].id}")).text
    traces = figures(html)[0]["data"]
    assert traces[0]["mode"] == "lines"
    assert traces[0]["x"][1] == 10.82
    assert len(traces[1]["x"]) == 10
    assert "59.93000" in html  # the accessible table of points


def test_formula_text_is_shown_as_plain_text(htmx_client, logged_in_planner, seeded):
    html = htmx_client.get(url(seeded, f"/questions/{seeded.questions[3].id}")).text
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in html or "=HYPERLINK(&quot;" in html
    assert FORMULA not in html


def test_filter_form_keeps_the_chosen_values(client, logged_in_planner, seeded):
    page = client.get(url(seeded), query_string={"district": "Årvoll", "age_band": "18-29"}).text
    assert '<option value="Årvoll" selected>' in page
    assert '<option value="18-29" selected>' in page
    assert '<option value="Linderud">' in page
    assert 'data-count="submitted"' not in page  # three respondents: hidden
    arvoll = client.get(url(seeded), query_string={"district": "Årvoll"}).text
    assert 'data-count="submitted">6<' in arvoll
    assert 'data-count="drafts">fewer than 5<' in arvoll
    assert 'method="get"' in page


def test_counts_stop_polling_once_the_survey_is_closed(db, client, logged_in_planner, seeded):
    seeded.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    page = client.get(url(seeded)).text
    assert 'data-count="submitted">10<' in page
    assert 'hx-trigger="every 10s"' not in page


def test_small_survey_hides_answers_even_unfiltered(db, client, logged_in_planner, create_survey, add_response):
    survey = create_survey()
    for _ in range(4):
        add_response(survey, {survey.questions[0].id: {"choice_keys": ["c1"]}})
    db.session.commit()
    page = client.get(url(survey, "?all=1")).text
    assert page.count("Fewer than 5 respondents — hidden") == 1  # the one answered question
    assert "Ja</th>" not in page
    assert len(figures(page)) == 1  # only the per-day counts, which show no answers
