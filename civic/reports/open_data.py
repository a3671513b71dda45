"""A published report's figures as open data: CSV (long format), XLSX (one sheet per table) and JSON.

Built from the snapshot only, never from responses: the downloads hold exactly the aggregated, already
suppressed numbers the page shows, so a journalist can check the page against them and nothing hidden on the
page can be found here. A hidden number is an empty cell (``null`` in JSON) with ``hidden`` set. Texts that a
spreadsheet would run as formulas are neutralised as in the staff exports.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import IO, Any

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from civic.core.downloads import attachment, xlsx_attachment
from civic.core.i18n import localized
from civic.core.spreadsheet import neutralise
from civic.reports import summaries as words
from civic.reports.models import Report

LICENCE_URLS = {"CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/"}
COLUMNS = ("table", "question", "option", "segment", "count", "share", "value", "hidden")
#: Internal references with no meaning outside civic.
_PRIVATE_KEYS = frozenset({"run_id"})

Row = dict[str, Any]


def metadata(report: Report, lang: str, *, source: str, licence: str) -> dict[str, Any]:
    """Describe the data: what, whose, where from, under which licence, and the suppression rule."""
    snapshot = report.snapshot or {}
    suppression = (snapshot.get("honesty") or {}).get("suppression") or {}
    min_cell = suppression.get("min_cell", snapshot.get("min_cell", 5))
    return {
        "title": localized((snapshot.get("consultation") or {}).get("title"), lang)
        or localized(report.consultation.title, lang),
        "organisation": (snapshot.get("consultation") or {}).get("organisation")
        or report.consultation.organisation.name,
        "source": source,
        "licence": licence,
        "licence_url": LICENCE_URLS.get(licence, ""),
        "published_at": report.published_at.isoformat() if report.published_at else None,
        "version": report.version,
        "figures_built_at": snapshot.get("built_at"),
        "language": lang,
        "min_cell": min_cell,
        "hidden_cells": suppression.get("hidden_cells", 0),
        "suppression": words.suppression_rule(min_cell, suppression.get("hidden_cells", 0)),
    }


# ------------------------------------------------------------------------------------------------- rows


def _row(
    table: str,
    question: str = "",
    option: str = "",
    segment: str = "",
    count: Any = "",
    share: Any = "",
    value: Any = "",
    hidden: bool = False,
) -> Row:
    return dict(zip(COLUMNS, (table, question, option, segment, count, share, value, hidden), strict=True))


def _counted(
    table: str, count: int | None, share: float | None = None, *, with_share: bool = False, **fields: Any
) -> Row:
    """A row of a count of people (and its share): hidden when the snapshot hid either."""
    hidden = count is None or (with_share and share is None)
    return _row(table, count=count, share=share, hidden=hidden, **fields)


def long_rows(snapshot: Mapping[str, Any], lang: str) -> Iterator[Row]:
    """Return every table of the snapshot as rows of (table, question, option, segment, count, share, value)."""
    for key, value in (snapshot.get("headline") or {}).items():
        if key == "response_rate" and value is not None:
            yield _row("headline", option=key, share=value)
        elif value is not None:
            yield _row("headline", option=key, count=value)
    yield from _participation(snapshot.get("participation") or {})
    for question in snapshot.get("questions") or []:
        yield from _question(question, lang)
    topics = snapshot.get("topics") or {}
    for topic in topics.get("topics") or []:
        yield _counted("topics", topic.get("size"), topic.get("share"), option=topic.get("label", ""), with_share=True)
    groups = snapshot.get("groups") or {}
    for group in groups.get("groups") or []:
        yield _counted("opinion_groups", group.get("size"), option=_("Group %(letter)s", letter=group.get("letter")))
    for item in groups.get("consensus") or []:
        yield _row(
            "consensus",
            option=item.get("text", ""),
            count=item.get("votes"),
            share=item.get("agree_share"),
            value=item.get("disagree_share"),
        )
    statements = snapshot.get("statements") or {}
    if statements:
        yield _row("statements", option="count", count=statements.get("count", 0))
    moderation = snapshot.get("moderation") or {}
    for key in ("submitted", "published", "removed"):
        if key in moderation:
            yield _counted("moderation", moderation[key], option=key)
    for reason in moderation.get("reasons") or []:
        yield _counted("moderation_reasons", reason.get("count"), option=reason.get("reason", ""))


def _participation(participation: Mapping[str, Any]) -> Iterator[Row]:
    for key in ("invited", "reached", "responded"):
        if participation.get(key) is not None:
            yield _row("participation", option=key, count=participation[key])
    if participation.get("response_rate") is not None:
        yield _row("participation", option="response_rate", share=participation["response_rate"])
    for week in participation.get("by_week") or []:
        yield _counted("participation_by_week", week.get("respondents"), option=week.get("week", ""))
    for segment in participation.get("segments") or []:
        dimension = segment["dimension"]
        for row in segment.get("rows") or []:
            name = row.get("segment", "")
            yield _counted(
                "participation_segments",
                row.get("respondents"),
                row.get("respondent_share"),
                question=dimension,
                option="respondents",
                segment=name,
                with_share=True,
            )
            if segment.get("population_source"):
                yield _counted(
                    "participation_segments",
                    row.get("population"),
                    row.get("population_share"),
                    question=dimension,
                    option="population",
                    segment=name,
                    with_share=True,
                )
                yield _row(
                    "participation_segments",
                    question=dimension,
                    option="representation",
                    segment=name,
                    value=row.get("representation"),
                    hidden=row.get("representation") is None,
                )


def _question(question: Mapping[str, Any], lang: str) -> Iterator[Row]:
    label = f"{question.get('number', '')}. {localized(question.get('title'), lang)}".strip(". ")
    yield _row("results", question=label, option="respondents", count=question.get("respondents"))
    for option in question.get("options") or []:
        yield _counted(
            "results",
            option.get("count"),
            option.get("share"),
            question=label,
            option=localized(option.get("label"), lang) or option.get("key", ""),
            with_share=True,
        )
    if question.get("other_texts"):
        yield _row("results", question=label, option="other_texts", count=question["other_texts"])
    if question.get("texts") is not None:
        yield _row("results", question=label, option="texts", count=question["texts"])
    for name, value in (question.get("stats") or {}).items():
        yield _row("results_statistics", question=label, option=name, value=value, hidden=value is None)
    for item in question.get("histogram") or []:
        yield _counted("results_histogram", item.get("count"), question=label, option=str(item.get("label", "")))
    for item in question.get("ranking") or []:
        yield _row(
            "results_ranking",
            question=label,
            option=localized(item.get("label"), lang),
            count=item.get("first"),
            value=item.get("mean_rank"),
            hidden=item.get("first") is None,
        )
    for cell in (question.get("map") or {}).get("cells") or []:
        yield _row("results_map", question=label, option=f"{cell['lat']},{cell['lon']}", count=cell.get("count"))
    breakdown = question.get("breakdown") or {}
    segments = breakdown.get("segments") or []
    labels = {str(o.get("key")): localized(o.get("label"), lang) for o in question.get("options") or []}
    for index, size in enumerate(breakdown.get("sizes") or []):
        yield _counted("results_by_segment", size, question=label, option="respondents", segment=segments[index])
    for row in breakdown.get("rows") or []:
        for index, segment in enumerate(segments):
            yield _counted(
                "results_by_segment",
                row["counts"][index],
                row["shares"][index],
                question=label,
                option=labels.get(str(row["key"]), str(row["key"])),
                segment=segment,
                with_share=True,
            )


# ---------------------------------------------------------------------------------------------- formats


def download(snapshot: Mapping[str, Any], meta: Mapping[str, Any], fmt: str, lang: str) -> Response:
    """Return the attachment (CSV, XLSX) or the JSON document."""
    name = filename(meta["title"], meta["version"])
    if fmt == "csv":
        return attachment(csv_text(snapshot, lang).encode("utf-8"), mimetype="text/csv", filename=f"{name}.csv")
    if fmt == "xlsx":
        return xlsx_attachment(lambda target: write_xlsx(snapshot, meta, lang, target), filename=f"{name}.xlsx")
    body = json.dumps(json_document(snapshot, meta), ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.json"'
    return response


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return neutralise(value) if isinstance(value, str) else value


def csv_text(snapshot: Mapping[str, Any], lang: str) -> str:
    """The long table in UTF-8 with a BOM (so Excel reads æøå); empty ``count`` + ``hidden=yes``: hidden."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in long_rows(snapshot, lang):
        writer.writerow([_csv_value(row[c]) for c in COLUMNS])
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, bool):
        value = _("hidden") if value else None
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
        cell.data_type = "s"  # never a live formula
        return cell
    return None if value == "" else value


def write_xlsx(snapshot: Mapping[str, Any], meta: Mapping[str, Any], lang: str, target: IO[bytes]) -> None:
    """Write an "about" sheet, then one sheet per table (write-only mode: flat memory)."""
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet(_("About")[:31])
    for key, value in about_rows(meta):
        about.append([_xlsx_cell(about, key), _xlsx_cell(about, value)])
    sheets: dict[str, Any] = {}
    for row in long_rows(snapshot, lang):
        table = row["table"]
        if table not in sheets:
            sheets[table] = workbook.create_sheet(table[:31])
            sheets[table].append([_xlsx_cell(sheets[table], c) for c in COLUMNS[1:]])
        sheets[table].append([_xlsx_cell(sheets[table], row[c]) for c in COLUMNS[1:]])
    workbook.save(target)


def about_rows(meta: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The README of the workbook: what the data is, its source and licence, and how hidden numbers show."""
    return [
        (_("Title"), meta["title"]),
        (_("Published by"), meta["organisation"]),
        (_("Source"), meta["source"]),
        (_("Licence"), f"{meta['licence']} {meta['licence_url']}".strip()),
        (_("Published"), meta["published_at"] or ""),
        (_("Version"), meta["version"]),
        (_("Figures built"), meta["figures_built_at"] or ""),
        (_("Privacy"), meta["suppression"]),
        (_("Hidden numbers"), _("An empty count or share marked “hidden” is a number hidden to protect privacy.")),
        (
            _("Columns"),
            _(
                "question, option and segment say what a row counts; count is people (or texts, "
                "votes); share is a fraction of 1; value holds averages and ranks."
            ),
        ),
    ]


def _public(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _public(v) for k, v in value.items() if k not in _PRIVATE_KEYS}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def json_document(snapshot: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    return {"metadata": dict(meta), "report": _public(snapshot)}


def filename(title: str, version: int) -> str:
    """Return e.g. "parkering-i-bjerke-report-v2" (ASCII, safe in a Content-Disposition header)."""
    text = title.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    ascii_title = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-") or "report"
    return f"{slug}-v{version}"
