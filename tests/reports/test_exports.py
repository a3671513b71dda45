"""CSV and XLSX exports: content, formatting, formula neutralisation, numbering and file names."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from civic.core.spreadsheet import neutralise
from civic.reports import exports
from civic.reports.queries import Filters
from civic.surveys.models import Answer, SurveyResponse
from tests.reports.conftest import FORMULA


def read_csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # BOM so Excel reads æøå
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export(client, logged_in_planner, seeded):
    response = client.get(f"/manage/results/{seeded.id}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="parkering-i-bjerke-20')
    assert disposition.endswith('.csv"')
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Response", "Submitted", "Survey version", "Age band", "District", "Household type"]
    assert header[6] == "Har husstanden din bil?"  # default language nb
    assert "Gammelt spørsmål (archived)" in header  # archived answers are exported, labelled
    assert len(body) == 10
    assert [r[0] for r in body] == [str(n) for n in range(1, 11)]  # a sequence, not database ids
    first = dict(zip(header, body[0], strict=True))
    assert first["Submitted"] == "2026-11-20"
    assert first["District"] == "Årvoll"
    assert first["Hvilke tiltak støtter du?"] == "Beboerparkering; Flere ladepunkter"
    assert first["Ranger det viktigste"] == "1. Trygg skolevei; 2. Parkering; 3. Brøyting"
    assert first["Marker et sted der parkering er et problem"] == "59.93, 10.8"
    assert first["Hvor lett er det å finne parkering?"] == "1"
    assert first["Når flyttet du hit?"] == "2020-01-15"
    assert first["Gammelt spørsmål (archived)"] == "Svar på arkivert spørsmål"
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    # 23:30 UTC on the 21st is the 22nd in Oslo.
    assert by_number["5"]["Submitted"] == "2026-11-22"
    assert by_number["9"]["Har husstanden din bil?"] == "Annet: Har sykkel"
    assert by_number["10"]["Hvor mange biler har husstanden?"] == ""


def test_csv_neutralises_formulas(client, logged_in_planner, seeded):
    rows = read_csv(client.get(f"/manage/results/{seeded.id}/export.csv"))
    header = rows[0]
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_number["10"]["Hvilken gate bor du i?"] == "'" + FORMULA
    assert by_number["8"]["Har du andre innspill?"] == "'+47 12345678"
    assert by_number["1"]["Har du andre innspill?"] == "Parkering er vanskelig om kvelden"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_filtered_export_keeps_response_numbers(client, logged_in_planner, seeded):
    rows = read_csv(client.get(f"/manage/results/{seeded.id}/export.csv", query_string={"district": "Linderud"}))
    assert [r[0] for r in rows[1:]] == ["7", "8", "9", "10"]
    assert {r[4] for r in rows[1:]} == {"Linderud"}


def test_xlsx_export(client, logged_in_planner, seeded):
    response = client.get(f"/manage/results/{seeded.id}/export.xlsx", query_string={"district": "Årvoll"})
    assert response.status_code == 200
    assert response.mimetype == exports_mimetype()
    assert ".xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[0] == "Response"
    assert "Gammelt spørsmål (archived)" in header
    assert len(rows) == 1 + 6
    first = {h: c for h, c in zip(header, rows[1], strict=True)}
    assert first["Response"].value == 1
    assert first["Submitted"].value.date() == date(2026, 11, 20)
    assert first["Hvor lett er det å finne parkering?"].value == 1
    assert first["District"].value == "Årvoll"
    assert first["Hvilke tiltak støtter du?"].value == "Beboerparkering; Flere ladepunkter"


def test_xlsx_stores_formulas_as_strings(client, logged_in_planner, seeded):
    response = client.get(f"/manage/results/{seeded.id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    column = header.index("Hvilken gate bor du i?")
    cell = rows[10][column]
    # Neutralised as in the CSV (a leading quote), so editing the cell or saving as CSV cannot bring it to life.
    assert cell.value == "'" + FORMULA
    assert cell.data_type == "s"
    assert all(c.data_type != "f" for row in rows for c in row)


def test_xlsx_drops_characters_excel_cannot_store(db, client, logged_in_planner, seeded):
    answer = next(a for a in seeded_answers(db, seeded) if a.text == "Gate 0")
    answer.text = "Gate\x01 0\x07"
    db.session.commit()
    response = client.get(f"/manage/results/{seeded.id}/export.xlsx")
    assert response.status_code == 200
    values = [c.value for row in load_workbook(io.BytesIO(response.get_data())).active.iter_rows() for c in row]
    assert "Gate 0" in values


def test_filename_transliterates_norwegian_letters(seeded):
    seeded.consultation.title = {"nb": "Bjerke: Parkering & lading på Årvoll!"}
    name = exports.filename(seeded, "csv")
    assert name.startswith("bjerke-parkering-lading-pa-arvoll-20")
    assert name.endswith(".csv")


def test_large_export_streams_in_chunks(db, client, logged_in_planner, create_survey, add_response, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 3)
    survey = create_survey()
    for i in range(8):
        add_response(survey, {survey.questions[3].id: {"text": f"t{i}"}})  # identical timestamps: ids break ties
    db.session.commit()
    response = client.get(f"/manage/results/{survey.id}/export.csv")
    assert response.is_streamed
    rows = read_csv(response)
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 9)]
    assert [r[rows[0].index("Hvilken gate bor du i?")] for r in rows[1:]] == [f"t{i}" for i in range(8)]


def exports_mimetype():
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def seeded_answers(db, survey):
    return db.session.scalars(db.select(Answer).join(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()


def test_csv_rows_stream_after_the_session_lets_go_of_the_survey(db, seeded):
    # Under a real server the body streams after the view returned and its session was cleaned up.
    chunks = exports.csv_chunks(db.session, seeded, Filters())
    db.session.expunge_all()
    body = b"".join(chunks).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 11
