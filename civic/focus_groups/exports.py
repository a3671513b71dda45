"""CSV and XLSX exports of a focus group's transcript.

The CSV is the transcript line by line; the workbook adds a sheet with one row per answer (its votes and marks)
for counting in a spreadsheet. Every text cell goes through ``civic.core.spreadsheet.neutralise``: answers are
typed by residents and a cell starting with "=" must never run as a formula. Times are local (Europe/Oslo).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from civic.core.spreadsheet import neutralise
from civic.focus_groups.transcript import Transcript, kind_label

LOCAL_TZ = ZoneInfo("Europe/Oslo")


def local_time(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def _yes(flag: bool) -> str:
    return _("yes") if flag else ""


def transcript_rows(transcript: Transcript) -> Iterator[list[Any]]:
    """One row per transcript entry, oldest first."""
    yield [
        _("Time"),
        _("Event"),
        _("Prompt number"),
        _("Prompt"),
        _("Participant"),
        _("Answer"),
        _("Agree"),
        _("Disagree"),
        _("Pass"),
        _("Hidden"),
        _("Highlighted"),
        _("By"),
        _("Detail"),
    ]
    for entry in transcript.entries:
        answer = entry.answer
        prompt = entry.prompt
        is_answer = entry.kind == "answer" and answer is not None
        yield [
            local_time(entry.at),
            entry.label,
            prompt.number if prompt else "",
            prompt.text if prompt else "",
            answer.pseudonym if answer else "",
            answer.text if is_answer and answer else "",
            answer.agree if is_answer and answer else "",
            answer.disagree if is_answer and answer else "",
            answer.passes if is_answer and answer else "",
            _yes(answer.hidden) if is_answer and answer else "",
            _yes(answer.highlighted) if is_answer and answer else "",
            entry.actor,
            entry.detail,
        ]


def answer_rows(transcript: Transcript) -> Iterator[list[Any]]:
    """One row per answer, in the guide's order."""
    yield [
        _("Prompt number"),
        _("Prompt kind"),
        _("Prompt"),
        _("Participant"),
        _("Written"),
        _("Edited"),
        _("Answer"),
        _("Agree"),
        _("Disagree"),
        _("Pass"),
        _("Hidden"),
        _("Highlighted"),
    ]
    for answer in sorted(transcript.answers, key=lambda a: (a.prompt.number, a.at, a.id)):
        yield [
            answer.prompt.number,
            kind_label(answer.prompt.kind),
            answer.prompt.text,
            answer.pseudonym,
            local_time(answer.at),
            _yes(answer.edited),
            answer.text,
            answer.agree,
            answer.disagree,
            answer.passes,
            _yes(answer.hidden),
            _yes(answer.highlighted),
        ]


def write_csv(transcript: Transcript) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in transcript_rows(transcript):
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    return "\ufeff" + buffer.getvalue()  # a BOM, so spreadsheets read the file as UTF-8


def write_xlsx(transcript: Transcript, target: IO[bytes]) -> None:
    """Two sheets: the transcript, and one row per answer."""
    workbook = Workbook(write_only=True)
    for title, rows in ((_("Transcript"), transcript_rows(transcript)), (_("Answers"), answer_rows(transcript))):
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    workbook.save(target)


def _cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
    cell.data_type = "s"  # always text: openpyxl would otherwise store "=…" as a live formula
    return cell


def filename(transcript: Transcript, extension: str) -> str:
    """An ASCII file name (the consultation id): no title characters a browser could mangle."""
    consultation = transcript.focus_group.consultation
    return f"focus-group-{consultation.id}-transcript.{extension}"
