"""Open data of a published report: long-format CSV, one XLSX sheet per table with an "about" sheet, JSON with
metadata; all from the snapshot, hidden numbers empty and marked, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from .conftest import FORMULA


def _url(report, fmt: str) -> str:
    return f"/r/{report.consultation.public_id}/data.{fmt}"


def test_csv_is_the_long_table(client, published):
    response = client.get(_url(published, "csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="parking-in-bjerke-v1.csv"')
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == ["table", "question", "option", "segment", "count", "share", "value", "hidden"]
    yes = next(r for r in rows if r["table"] == "results" and r["option"] == "Yes")
    assert yes["question"] == "1. Does your household have a car?"
    assert yes["count"] == "500"
    assert yes["share"] == "0.463"
    hidden = [r for r in rows if r["table"] == "results_by_segment" and r["segment"] == "Smalvik"]
    assert len(hidden) == 4
    assert all(r["count"] == "" and r["hidden"] == "yes" for r in hidden)
    assert {r["table"] for r in rows} >= {
        "headline",
        "participation",
        "participation_by_week",
        "participation_segments",
        "results",
        "results_by_segment",
        "results_statistics",
        "results_histogram",
        "results_ranking",
        "results_map",
        "topics",
    }


def test_spreadsheet_formulas_are_neutralised(client, published):
    text = client.get(_url(published, "csv")).data.decode("utf-8")
    assert "'" + FORMULA.replace('"', '""') in text
    assert "," + FORMULA.replace('"', '""') not in text
    assert '"' + FORMULA.replace('"', '""') not in text
    workbook = load_workbook(io.BytesIO(client.get(_url(published, "xlsx")).data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.value.startswith("'=")


def test_xlsx_has_an_about_sheet_and_one_sheet_per_table(client, published):
    response = client.get(_url(published, "xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames[0] == "About"
    assert {"results", "results_by_segment", "participation_segments", "topics"} <= set(workbook.sheetnames)
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Licence"].startswith("CC BY 4.0")
    assert about["Source"].endswith(f"/r/{published.consultation.public_id}")
    assert "no number of fewer than 5 people is shown" in about["Privacy"]
    assert about["Version"] == 1


def test_json_has_metadata_and_the_public_snapshot(client, published):
    response = client.get(_url(published, "json"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    meta = data["metadata"]
    assert meta["licence"] == "CC BY 4.0"
    assert meta["licence_url"].startswith("https://creativecommons.org/")
    assert meta["version"] == 1
    assert meta["published_at"].startswith("2026-11-24")
    assert meta["source"] == f"http://localhost/r/{published.consultation.public_id}"
    assert meta["hidden_cells"] == 14
    report = data["report"]
    assert report["questions"][0]["breakdown"]["sizes"] == [600, 476, None]
    assert "run_id" not in report["topics"]  # internal references stay out


def test_configured_licence(app, client, published):
    app.config["REPORT_DATA_LICENCE"] = "NLOD 2.0"
    assert json.loads(client.get(_url(published, "json")).data)["metadata"]["licence"] == "NLOD 2.0"


def test_open_data_has_an_etag(client, published):
    first = client.get(_url(published, "json"))
    assert client.get(_url(published, "json"), headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert first.headers["ETag"] != client.get(_url(published, "csv")).headers["ETag"]
