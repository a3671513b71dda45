"""Transcript exports: CSV and XLSX, formula injection neutralised, hidden answers marked, staff roles only."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from civic.accounts.models import Role
from tests.focus_groups.test_transcript import finished_session  # noqa: F401 - the shared fixture


def _url(group, extension: str) -> str:
    return f"/manage/focus-groups/{group.consultation_id}/transcript.{extension}"


def test_csv_holds_the_transcript(client, auth, planner, finished_session) -> None:  # noqa: F811
    auth.login(planner)
    response = client.get(_url(finished_session, "csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:6] == ["Time", "Event", "Prompt number", "Prompt", "Participant", "Answer"]
    answers = [row for row in rows[1:] if row[1] == "Answer"]
    assert len(answers) == 5
    hidden = next(row for row in answers if row[4] == "Deltaker 2222" and row[2] == "1")
    assert hidden[5].startswith("'=")  # never a live formula
    assert hidden[9] == "yes"
    good = next(row for row in answers if row[5] == "Tryggere skolevei for barna")
    assert good[6:11] == ["1", "0", "1", "", "yes"]
    assert any(row[1] == "Finished the session" and row[11] == planner.name for row in rows)


def test_xlsx_has_transcript_and_answers(client, auth, create_staff, finished_session) -> None:  # noqa: F811
    auth.login(create_staff(Role.MODERATOR))
    response = client.get(_url(finished_session, "xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Transcript", "Answers"]
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert answers[0][:4] == ("Prompt number", "Prompt kind", "Prompt", "Participant")
    assert [row[0] for row in answers[1:]] == [1, 1, 2, 3, 4]
    cells = [cell for row in workbook["Transcript"].iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert any(cell.value == '\'=HYPERLINK("http://x")' for cell in cells)
    assert ("1. Sykkelfelt; 2. Fartshumper; 3. Gågate") in [row[6] for row in answers]


def test_exports_are_for_staff_who_export(client, auth, create_staff, finished_session) -> None:  # noqa: F811
    assert client.get(_url(finished_session, "csv")).status_code in (302, 303)
    auth.login(create_staff(Role.VIEWER))
    assert client.get(_url(finished_session, "xlsx")).status_code == 403
