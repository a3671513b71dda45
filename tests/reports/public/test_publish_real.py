"""Through the real snapshot builder: a closed survey with crafted responses, one district too small to show,
composed, previewed and published by a planner; nothing hidden reaches the page or the open data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from civic.consultations.models import ConsultationState
from civic.reports.models import Report, ReportState

from .conftest import html_tables

SMALL = "Smalvik"
#: (district, answer to "Har husstanden din bil?") for each crafted respondent: Smalvik has 3.
PEOPLE = (
    [("Årvoll", "c1")] * 7
    + [("Årvoll", "c2")] * 6
    + [("Linderud", "c1")] * 6
    + [("Linderud", "c2")] * 8
    + [("Økern", "c1")] * 9
    + [("Økern", "c2")] * 6
    + [(SMALL, "c1")] * 2
    + [(SMALL, "c2")]
)


@pytest.fixture
def crafted(db, create_closed_survey, add_response):
    survey = create_closed_survey(ConsultationState.OPEN)
    q = survey.questions
    for i, (district, key) in enumerate(PEOPLE):
        add_response(
            survey,
            {q[0].id: {"choice_keys": [key]}, q[2].id: {"number": 1 + i % 5}},
            district=district,
            age_band="30-44",
        )
    survey.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    return survey


def _publish(client, survey, **extra):
    data = {
        "compose": "1",
        "sections": ["what_we_heard", "participation", "results", "next_steps"],
        "what_we_heard_nb": "Vi hørte dere.",
        "theme": "traffic",
        "breakdown": "district",
        "districts": ["Årvoll"],
        **extra,
    }
    return client.post(f"/manage/reports/{survey.consultation_id}/publish", data=data)


def _numbers_about(value, segment: str):
    """Yield every count printed next to ``segment`` in a JSON breakdown or segment table."""
    if isinstance(value, dict):
        if value.get("segments") and segment in value["segments"]:
            index = value["segments"].index(segment)
            yield (value.get("sizes") or [None] * (index + 1))[index]
            for row in value.get("rows") or []:
                yield row["counts"][index]
        if value.get("segment") == segment:
            yield value.get("respondents")
        for item in value.values():
            yield from _numbers_about(item, segment)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers_about(item, segment)


def test_publish_then_read_page_and_open_data(client, db, logged_in_planner, crafted):
    response = _publish(client, crafted)
    assert response.status_code == 303, response.text
    report = db.session.scalar(select(Report).where(Report.consultation_id == crafted.consultation_id))
    assert report.state == ReportState.PUBLISHED
    assert report.version == 1
    assert report.published_at
    assert crafted.consultation.state == ConsultationState.PUBLISHED
    assert "The report is published." in client.get(response.headers["Location"]).text

    url = f"/r/{crafted.consultation.public_id}"
    page = client.get(url)
    assert page.status_code == 200
    for anchor in ("what-we-heard", "participation", "results", "honesty"):
        assert f'id="section-{anchor}"' in page.text
    assert 'id="section-next-steps"' not in page.text  # chosen, but no text written: left out
    tables = html_tables(page.text)
    breakdown = next(
        rows for caption, rows in tables.items() if caption.startswith("Answers to") and caption.endswith("district")
    )
    column = breakdown[0].index(SMALL)
    assert {row[column] for row in breakdown[1:]} <= {"hidden", "0"}
    assert "hidden" in {row[column] for row in breakdown[1:]}
    # With the total printed, one hidden group size would give itself away: the builder hides a second one.
    sizes = breakdown[1][1:]
    assert sizes.count("hidden") != 1

    data = json.loads(client.get(url + "/data.json").text)
    assert data["metadata"]["licence"] == "CC BY 4.0"
    assert data["metadata"]["version"] == 1
    assert data["metadata"]["source"].endswith(url)
    small = [n for n in _numbers_about(data["report"], SMALL)]
    assert small
    assert all(n is None or n == 0 or n >= 5 for n in small)

    rows = list(csv.DictReader(io.StringIO(client.get(url + "/data.csv").text.lstrip("\ufeff"))))
    small_rows = [r for r in rows if r["segment"] == SMALL]
    assert small_rows
    assert all(r["count"] in ("", "0") for r in small_rows)
    assert all(r["hidden"] == "yes" for r in small_rows if r["count"] == "")

    workbook = load_workbook(io.BytesIO(client.get(url + "/data.xlsx").data), read_only=True)
    by_segment = workbook["results_by_segment"]
    header = [c.value for c in next(by_segment.iter_rows(max_row=1))]
    for row in by_segment.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, [*row, *[None] * (len(header) - len(row))], strict=True))
        if record["segment"] == SMALL:
            assert record["count"] in (None, 0)
            assert record["count"] == 0 or record["hidden"] == "hidden"


def test_preview_builds_fresh_figures_without_storing(client, db, logged_in_planner, crafted):
    client.post(
        f"/manage/reports/{crafted.consultation_id}",
        data={"compose": "1", "sections": ["results"], "theme": "other", "breakdown": "district"},
    )
    page = client.get(f"/manage/reports/{crafted.consultation_id}/preview")
    assert page.status_code == 200
    assert "Preview – not published" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert 'id="section-results"' in page.text
    report = db.session.scalar(select(Report).where(Report.consultation_id == crafted.consultation_id))
    assert report.snapshot == {}
    assert report.state == ReportState.DRAFT


def test_refresh_republishes_and_text_edits_bump_the_version(client, db, logged_in_planner, crafted):
    _publish(client, crafted)
    report = db.session.scalar(select(Report).where(Report.consultation_id == crafted.consultation_id))
    first_built = report.snapshot["built_at"]
    # Editing a text of the published report: a new version, shown at once.
    client.post(
        f"/manage/reports/{crafted.consultation_id}",
        data={
            "compose": "1",
            "sections": ["what_we_heard", "results"],
            "what_we_heard_nb": "Ny tekst.",
            "theme": "traffic",
            "breakdown": "district",
            "districts": ["Årvoll"],
        },
    )
    db.session.expire_all()
    assert report.version == 2
    assert "Ny tekst." in client.get(f"/r/{crafted.consultation.public_id}?lang=nb").text
    # "Refresh the figures": a new publication with a new snapshot.
    response = client.post(f"/manage/reports/{crafted.consultation_id}/publish")
    assert response.status_code == 303
    db.session.expire_all()
    assert report.version == 3
    assert report.snapshot["built_at"] >= first_built
    assert "version 3 is published" in client.get(response.headers["Location"]).text


def test_unpublish_takes_the_page_down(client, htmx_client, db, logged_in_planner, crafted):
    _publish(client, crafted)
    url = f"/r/{crafted.consultation.public_id}"
    assert client.get(url).status_code == 200
    response = htmx_client.post(f"/manage/reports/{crafted.consultation_id}/unpublish")
    assert response.status_code == 200
    assert 'id="report-compose"' in response.text
    assert "no longer public" in response.text
    assert client.get(url).status_code == 404
    assert client.get(url + "/data.json").status_code == 404
