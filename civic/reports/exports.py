"""CSV and XLSX exports of submitted responses: one row per response, one column per question.

Responses are read in keyset-paged chunks so a 50,000-response survey never sits in memory at once.
Response numbers are a sequence over all submitted responses in submission order, so a response keeps
its number whatever filter an export uses; database ids are never shown.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from civic.core.i18n import localized
from civic.core.spreadsheet import neutralise
from civic.core.timeutils import now_utc
from civic.reports.queries import Filters, local_day
from civic.surveys.models import Answer, Question, QuestionKind, ResponseState, Survey, SurveyResponse

CHUNK = 1000
Cell = str | int | float | date | None


def all_questions(survey: Survey) -> list[Question]:
    """Return every question, archived ones included, in answering order."""
    return [q for section in survey.sections for q in section.questions]


def header(survey: Survey) -> list[str]:
    """Return the column titles; question texts are in the survey's default language."""
    language = survey.consultation.default_language
    titles = [
        _("Response"),
        _("Submitted"),
        _("Survey version"),
        _("Age band"),
        _("District"),
        _("Household type"),
    ]
    for question in all_questions(survey):
        text = localized(question.text, language)
        titles.append(_("%(question)s (archived)", question=text) if question.is_archived else text)
    return titles


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class AnswerFormat:
    """How one question's answers become cells; built once per export, not once per cell."""

    question_id: int
    kind: QuestionKind
    labels: dict[str, str]
    other_keys: frozenset[str]

    @classmethod
    def of(cls, question: Question, language: str) -> AnswerFormat:
        return cls(
            question_id=question.id,
            kind=question.kind_enum,
            labels={c.key: localized(c.label, language) for c in question.choices},
            other_keys=frozenset(c.key for c in question.choices if c.is_other),
        )

    def cell(self, answer: Any) -> Cell:
        """Turn one answer row into a cell value."""
        kind, keys = self.kind, answer.choice_keys or []
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            parts = [
                f"{self.labels.get(k, k)}: {answer.text}"
                if k in self.other_keys and answer.text
                else self.labels.get(k, k)
                for k in keys
            ]
            if answer.text and not self.other_keys.intersection(keys):
                parts.append(answer.text)
            return "; ".join(parts) or None
        if kind == QuestionKind.RANKING:
            return "; ".join(f"{i}. {self.labels.get(k, k)}" for i, k in enumerate(keys, 1)) or None
        if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
            return None if answer.number is None else _number(answer.number)
        if kind == QuestionKind.DATE:
            return answer.date_value.isoformat() if answer.date_value else None
        if kind == QuestionKind.MAP_POINT:
            return None if answer.lat is None or answer.lon is None else f"{answer.lat}, {answer.lon}"
        return answer.text or None


def iter_rows(session: Session, survey: Survey, filters: Filters) -> Iterator[list[Cell]]:
    """Return rows, one per submitted response in the segment, in submission order.

    The survey's structure is read now: the rows are produced while the response streams, after the
    request's session has let go of ``survey``.
    """
    language = survey.consultation.default_language
    formats = [AnswerFormat.of(q, language) for q in all_questions(survey)]
    return _iter_rows(session, survey.id, formats, filters)


def _iter_rows(
    session: Session, survey_id: int, formats: list[AnswerFormat], filters: Filters
) -> Iterator[list[Cell]]:
    meta = select(
        SurveyResponse.id,
        SurveyResponse.submitted_at,
        SurveyResponse.survey_version,
        SurveyResponse.age_band,
        SurveyResponse.district,
        SurveyResponse.household_type,
    ).where(SurveyResponse.survey_id == survey_id, SurveyResponse.state == ResponseState.SUBMITTED)
    number = 0
    last: tuple[Any, int] | None = None
    while True:
        stmt = meta
        if last is not None:
            at, last_id = last
            stmt = stmt.where(
                or_(
                    SurveyResponse.submitted_at > at,
                    and_(SurveyResponse.submitted_at == at, SurveyResponse.id > last_id),
                )
            )
        chunk = session.execute(stmt.order_by(SurveyResponse.submitted_at, SurveyResponse.id).limit(CHUNK)).all()
        if not chunk:
            return
        last = (chunk[-1].submitted_at, chunk[-1].id)
        # Numbering runs over every response; filtering happens after so numbers stay stable.
        numbered = []
        for row in chunk:
            number += 1
            if filters.matches(row):
                numbered.append((number, row))
        answers = _answers_for(session, [row.id for _n, row in numbered])
        for seq, row in numbered:
            given = answers.get(row.id, {})
            cells: list[Cell] = [
                seq,
                local_day(row.submitted_at) if row.submitted_at else None,
                row.survey_version,
                row.age_band,
                row.district,
                row.household_type,
            ]
            cells += [f.cell(given[f.question_id]) if f.question_id in given else None for f in formats]
            yield cells


def _answers_for(session: Session, response_ids: list[int]) -> dict[int, dict[int, Any]]:
    if not response_ids:
        return {}
    rows = session.execute(
        select(
            Answer.response_id,
            Answer.question_id,
            Answer.choice_keys,
            Answer.text,
            Answer.number,
            Answer.date_value,
            Answer.lat,
            Answer.lon,
        ).where(Answer.response_id.in_(response_ids))
    )
    grouped: dict[int, dict[int, Any]] = {}
    for row in rows:
        grouped.setdefault(row.response_id, {})[row.question_id] = row
    return grouped


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value) if isinstance(value, str) else value


def csv_chunks(session: Session, survey: Survey, filters: Filters) -> Iterator[bytes]:
    """Return the CSV file (UTF-8 with BOM, so Excel reads æøå) as an iterator of pieces."""
    return _csv_chunks(header(survey), iter_rows(session, survey, filters))


def _csv_chunks(titles: list[str], rows: Iterator[list[Cell]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralise(title) for title in titles])
    for i, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if i % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(session: Session, survey: Survey, filters: Filters, target: IO[bytes]) -> None:
    """Write the workbook row by row (openpyxl write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Responses")[:31])
    sheet.append([_xlsx_cell(sheet, title) for title in header(survey)])
    for row in iter_rows(session, survey, filters):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
        # Always a string cell: openpyxl would otherwise store "=…" as a live formula; and neutralised like the CSV,
        # so that editing the cell or saving the sheet as CSV does not bring the formula to life.
        cell.data_type = "s"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def filename(survey: Survey, extension: str) -> str:
    """Return e.g. "parkering-i-bjerke-2026-11-23.csv" from the title in the default language."""
    title = localized(survey.consultation.title, survey.consultation.default_language).lower()
    title = title.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-") or "survey"
    return f"{slug}-{local_day(now_utc()).isoformat()}.{extension}"
