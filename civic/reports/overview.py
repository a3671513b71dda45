"""The municipality's overview of published reports: filter, search and page them (read only, never commits).

Filtering happens in SQL where the columns allow it on both SQLite and PostgreSQL: the state, the organisation
and the theme are plain columns. A district is an element of the JSON list ``Report.districts``; the two databases
share no JSON containment operator for the generic ``JSON`` type (PostgreSQL's ``@>`` needs ``jsonb``), but both
keep the list as the JSON text SQLAlchemy wrote, so a ``LIKE`` on that text for the element JSON-encoded *with its
quotes* (``"Årvoll"``, wildcards escaped) matches whole elements only, on both.

Text search runs in Python over the organisation's published reports instead. Titles, summaries and the planner's
texts are ``{lang: text}`` JSON dicts, and the reader's language picks one of them with a fallback (``localized``)
— something no portable SQL expression does, and a ``LIKE`` over the JSON text would also match keys and the
``\\u00e5`` escapes of "å" rather than the letter. A municipality publishes tens, at most a few hundred reports,
so reading those few text columns per request is cheap; the snapshots are not read, except the headline figures
of the one page shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, exists, or_, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation
from civic.consultations.models import Consultation
from civic.core.i18n import localized
from civic.reports.models import Report, ReportState

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
#: Headline figures an overview card shows, in this order (the snapshot's ``headline`` keys).
HEADLINE_KEYS = ("respondents", "response_rate", "topics", "statements")


@dataclass(frozen=True)
class OverviewFilters:
    """What the reader asked for: free text, one district, one theme, and the page."""

    q: str = ""
    district: str = ""
    theme: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> OverviewFilters:
        """Read the query string leniently: a malformed page is the first page, overlong text is cut."""
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            q=" ".join(str(args.get("q", "")).split())[:MAX_QUERY_LENGTH],
            district=str(args.get("district", "")).strip()[:200],
            theme=str(args.get("theme", "")).strip()[:64],
            page=page,
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.district or self.theme)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the query arguments of these filters (for links), without empty ones and without page 1."""
        values = {"q": self.q, "district": self.district, "theme": self.theme, "page": self.page, **changes}
        return {key: value for key, value in values.items() if value and not (key == "page" and value == 1)}


@dataclass(frozen=True)
class ReportItem:
    """One published report as the overview lists it (content dicts still in every language)."""

    report_id: int
    public_id: str
    title: dict[str, Any]
    summary: dict[str, Any]
    published_at: datetime | None
    theme: str
    districts: list[str]
    headline: dict[str, Any] = field(default_factory=dict)


@dataclass
class OverviewPage:
    """The reports on one page, how many matched in all, and the choices the filters offer."""

    items: list[ReportItem]
    total: int
    page: int
    pages: int
    #: Every district and theme of the organisation's published reports (the filters' options).
    districts: list[str]
    themes: list[str]
    #: Whether the organisation has published any report at all (no filters applied).
    any_published: bool


def _published(organisation_id: int) -> Any:
    return (Consultation.organisation_id == organisation_id) & (Report.state == ReportState.PUBLISHED)


def organisations_with_reports(session: Session, organisation: Organisation | None = None) -> list[Organisation]:
    """Return ``organisation`` if it has published reports, or, without one, every organisation that has."""
    query = (
        select(Organisation)
        .where(
            exists().where(
                Consultation.organisation_id == Organisation.id,
                Report.consultation_id == Consultation.id,
                Report.state == ReportState.PUBLISHED,
            )
        )
        .order_by(Organisation.name)
    )
    if organisation is not None:
        query = query.where(Organisation.id == organisation.id)
    return list(session.scalars(query))


def district_condition(district: str) -> Any:
    """SQL condition: the report concerns ``district``, or the whole municipality (an empty list).

    See the module docstring for why this is a LIKE on the JSON text. Both the ASCII-escaped form that the
    default serialiser writes and the literal form are matched, so a serialiser set to ``ensure_ascii=False``
    changes nothing.
    """
    text = cast(Report.districts, Text)
    forms = dict.fromkeys((json.dumps(district), json.dumps(district, ensure_ascii=False)))
    return or_(text == "[]", *(text.contains(form, autoescape=True) for form in forms))


def _matches(words: Sequence[str], texts: Sequence[str]) -> bool:
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)


def search(session: Session, organisation: Organisation, filters: OverviewFilters, locale: str) -> OverviewPage:
    """Return the page of published reports that match ``filters``, newest first; text searched in ``locale``."""
    base = select(Report.theme, Report.districts).join(Consultation, Consultation.id == Report.consultation_id)
    options = session.execute(base.where(_published(organisation.id))).all()
    districts = sorted({d for _theme, listed in options for d in listed or [] if d}, key=str.casefold)
    themes = sorted({theme for theme, _listed in options})

    query = (
        select(
            Report.id,
            Consultation.public_id,
            Consultation.title,
            Consultation.summary,
            Consultation.languages,
            Report.published_at,
            Report.theme,
            Report.districts,
            Report.what_we_heard,
            Report.next_steps,
            Report.decision,
        )
        .join(Consultation, Consultation.id == Report.consultation_id)
        .where(_published(organisation.id))
        .order_by(Report.published_at.desc(), Report.id.desc())
    )
    if filters.theme:
        query = query.where(Report.theme == filters.theme)
    if filters.district:
        query = query.where(district_condition(filters.district))
    rows = session.execute(query).all()
    words = filters.q.casefold().split()
    if words:
        rows = [row for row in rows if _matches(words, _texts(row, locale))]

    total = len(rows)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(filters.page, pages)
    shown = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    headlines = _headlines(session, [row.id for row in shown])
    items = [
        ReportItem(
            report_id=row.id,
            public_id=row.public_id,
            title=row.title or {},
            summary=row.summary or {},
            published_at=row.published_at,
            theme=row.theme,
            districts=list(row.districts or []),
            headline=headlines.get(row.id, {}),
        )
        for row in shown
    ]
    return OverviewPage(
        items=items,
        total=total,
        page=page,
        pages=pages,
        districts=districts,
        themes=themes,
        any_published=bool(options),
    )


def _texts(row: Any, locale: str) -> list[str]:
    """What a reader in ``locale`` sees of a report before opening it, and the planner's own texts."""
    fallback = (row.languages or ["nb"])[0]
    return [
        localized(value, locale, fallback)
        for value in (row.title, row.summary, row.what_we_heard, row.next_steps, row.decision)
    ]


def _headlines(session: Session, report_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Return the headline figures of these reports, only those present (a JSON path: no whole snapshots)."""
    if not report_ids:
        return {}
    rows = session.execute(select(Report.id, Report.snapshot["headline"]).where(Report.id.in_(report_ids))).all()
    result = {}
    for report_id, headline in rows:
        values = headline if isinstance(headline, dict) else {}
        result[report_id] = {key: values[key] for key in HEADLINE_KEYS if values.get(key) is not None}
    return result


__all__ = [
    "PER_PAGE",
    "OverviewFilters",
    "OverviewPage",
    "ReportItem",
    "district_condition",
    "organisations_with_reports",
    "search",
]
