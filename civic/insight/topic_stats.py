"""Tables behind the topic pages: texts per week and topic, topics by segment, and the export rows."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any, TypeVar
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from analysis.segments import segment_topics
from civic.core.spreadsheet import neutralise
from civic.insight.models import TextSource
from civic.insight.sources import SURVEY_SEGMENTS, SourceText
from civic.insight.topic_edits import OUTLIERS, Corpus, Topic, TopicView

#: Below this many respondents a cell is hidden. The same value as civic.reports.queries.MIN_GROUP (a test
#: keeps them equal): the reports layer sits above insight, so insight cannot import it.
MIN_CELL = 5
LOCAL_TZ = ZoneInfo("Europe/Oslo")
#: Lines in the trend chart: the largest topics (the table below it lists them too).
TREND_TOPICS = 10


def week_of(text: SourceText) -> date:
    day = text.created_at.astimezone(LOCAL_TZ).date()
    return day - timedelta(days=day.weekday())


def weekly_counts(
    view: TopicView, corpus: Corpus, *, limit: int = TREND_TOPICS
) -> tuple[list[date], list[tuple[Topic, list[int]]]]:
    """Texts per week for the largest visible topics; every week from the first to the last is listed."""
    topics = view.visible[:limit]
    per_topic = _count_members(view, corpus, topics, week_of)
    weeks = {week for counter in per_topic for week in counter}
    if not weeks:
        return [], []
    first, last = min(weeks), max(weeks)
    all_weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    return all_weeks, [(topic, [c[w] for w in all_weeks]) for topic, c in zip(topics, per_topic, strict=True)]


K = TypeVar("K", bound=Hashable)


def _count_members(
    view: TopicView, corpus: Corpus, topics: list[Topic], key: Callable[[SourceText], K]
) -> list[Counter[K]]:
    """Per topic, how many of its texts fall under each ``key(text)`` (texts gone since the run are skipped)."""
    counters: list[Counter[K]] = []
    for topic in topics:
        texts = (corpus.texts.get(view.documents[index]) for index in topic.members)
        counters.append(Counter(key(text) for text in texts if text is not None))
    return counters


@dataclass
class Breakdown:
    """Topics (rows) by segment (columns); None where a cell is hidden."""

    dimension: str
    segments: list[str]
    topics: list[Topic]
    counts: list[list[int | None]]
    shares: list[list[float | None]] | None
    hidden_cells: int = 0


def survey_breakdown(view: TopicView, corpus: Corpus, dimension: str) -> Breakdown:
    """Share of each segment's writers with a text in each topic, small cells suppressed (with secondary
    suppression, so hidden cells cannot be worked out from the totals)."""
    topics = view.visible
    number = {topic.key: n for n, topic in enumerate(topics)}
    owner = view.topic_of_documents()
    pairs: list[tuple[int, int]] = []
    segments: dict[int, dict[str, str]] = {}
    for index, key in enumerate(view.documents):
        text = corpus.texts.get(key)
        if text is None:
            continue
        topic = owner[index]
        pairs.append((text.author, number.get(topic.key, -1) if topic is not None else -1))
        segments[text.author] = text.segment
    result = segment_topics(pairs, segments, topics=list(range(len(topics))), dimensions=[dimension], min_cell=MIN_CELL)
    table = next((d for d in result.dimensions if d.dimension == dimension), None)
    if table is None or not table.options:
        return Breakdown(dimension, [], topics, [], [], 0)
    rows = {int(option.option): option for option in table.options}
    counts = [list(rows[n].counts) if n in rows else [None] * len(table.segments) for n in range(len(topics))]
    shares = [list(rows[n].shares) if n in rows else [None] * len(table.segments) for n in range(len(topics))]
    return Breakdown(dimension, list(table.segments), topics, counts, shares, table.hidden_cells)


def hearing_breakdown(view: TopicView, corpus: Corpus) -> Breakdown:
    """Comments per topic and section (hearing comments are public, so nothing is hidden)."""
    topics = view.visible
    table = _count_members(view, corpus, topics, lambda text: text.section)
    sections = {section for counter in table for section in counter}
    ordered = sorted(sections, key=_section_order)
    counts: list[list[int | None]] = [[c[s] for s in ordered] for c in table]
    return Breakdown("section", ordered, topics, counts, None)


def _section_order(section: str) -> tuple[int, list[int], str]:
    number = section.split(" ", 1)[0]
    parts = [int(p) for p in number.split(".") if p.isdigit()]
    return (0 if not section else 1, parts, section)


def segment_dimensions() -> tuple[str, ...]:
    return SURVEY_SEGMENTS


# --- exports -------------------------------------------------------------------------------------------------


def topic_rows(view: TopicView) -> Iterator[list[Any]]:
    yield [_("Topic"), _("Label"), _("Comments"), _("Hidden"), _("Top words")]
    for topic in view.topics:
        words = ", ".join(w for w, _score in topic.words[:10])
        yield [topic.key, topic.label, topic.size, _("yes") if topic.hidden else "", words]
    yield [OUTLIERS, _("Not in any topic"), len(view.outliers), "", ""]


def assignment_rows(view: TopicView, corpus: Corpus) -> Iterator[list[Any]]:
    """One row per analysed text: where it came from, its topic, and the text."""
    yield [
        _("Number"),
        _("Source"),
        _("Comment id"),
        _("Written"),
        _("Section or question"),
        _("Topic"),
        _("Label"),
        _("Text"),
    ]
    owner = view.topic_of_documents()
    for index, key in enumerate(view.documents):
        text = corpus.texts.get(key)
        if text is None:  # hidden or deleted since the run
            continue
        topic = owner[index]
        hearing = key[0] == TextSource.HEARING_COMMENT
        yield [
            index + 1,
            source_label(key[0]),
            key[1] if hearing else "",
            text.created_at.astimezone(LOCAL_TZ).date().isoformat(),
            text.section,
            topic.key if topic else OUTLIERS,
            (topic.label if topic else _("Not in any topic")),
            text.text,
        ]


#: What the export calls each source (functions: translated when the export runs, in the user's language).
SOURCE_LABELS: dict[str, Callable[[], str]] = {
    TextSource.HEARING_COMMENT.value: lambda: _("Hearing comment"),
    TextSource.SURVEY_ANSWER.value: lambda: _("Survey answer"),
    TextSource.FOCUS_GROUP_ANSWER.value: lambda: _("Focus group answer"),
}


def source_label(source: str) -> str:
    label = SOURCE_LABELS.get(source)
    return label() if label is not None else source


def _safe(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def write_csv(rows: Iterator[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()  # a BOM, so spreadsheets read the file as UTF-8


def write_xlsx(view: TopicView, corpus: Corpus, target: IO[bytes]) -> None:
    """Two sheets: the topics, and every text with its topic."""
    workbook = Workbook(write_only=True)
    for title, rows in ((_("Topics"), topic_rows(view)), (_("Assignments"), assignment_rows(view, corpus))):
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
    cell.data_type = "s"  # always text: openpyxl would otherwise store "=…" as a live formula
    return cell
