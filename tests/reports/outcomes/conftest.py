"""Published reports made by hand (a Report row, state published, a snapshot in the brief's schema).

The figures do not matter to the overview and "you said, we did": they read the headline and the topics only, so
these snapshots are small and written out rather than built from responses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civic.accounts.models import Organisation
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.tokens import new_token
from civic.reports.models import Report, ReportState, Section, Theme

PUBLISHED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

TOPICS = [
    {"key": "t3", "label": "Beboerparkering", "size": 120, "share": 0.15, "words": ["parkering"],
     "quotes": ["Vi trenger beboerparkering i Økern.", "To", "Tre"]},
    {"key": "t7", "label": "Trygg skolevei", "size": 80, "share": 0.1, "words": ["skolevei"], "quotes": []},
    {"key": "t9", "label": "Ladepunkter", "size": None, "share": None, "words": [], "quotes": []},
]


def snapshot(title: dict[str, str], *, kind: str = "survey", respondents: int = 1100,
             response_rate: float | None = 0.183, topics: list[dict[str, Any]] | None = None,
             statements: int = 0) -> dict[str, Any]:
    topic_list = TOPICS if topics is None else topics
    return {
        "schema": 1,
        "built_at": PUBLISHED.isoformat(),
        "min_cell": 5,
        "consultation": {"kind": kind, "title": title, "summary": {}, "languages": ["nb", "en"],
                         "opens_at": None, "closes_at": None, "organisation": "Bydel Bjerke"},
        "headline": {"respondents": respondents, "invited": 6000 if response_rate else None,
                     "response_rate": response_rate, "texts": 812, "topics": len(topic_list),
                     "statements": statements},
        "participation": {"invited": None, "reached": None, "responded": respondents, "response_rate": response_rate,
                          "by_week": [], "segments": []},
        "questions": [],
        "topics": {"run_id": 7, "finished_at": PUBLISHED.isoformat(), "embedder": "multilingual", "model": "m",
                   "mode": "fixed", "n_topics": len(topic_list), "texts": 812, "outliers": 90,
                   "edits": {"rename": 0, "merge": 0, "split": 0, "hide": 0}, "topics": topic_list}
        if topic_list else None,
        "groups": None,
        "statements": None,
        "moderation": None,
        "honesty": {"sampling_frame": {"kind": "public_link", "invited": None, "criteria": None},
                    "margin_of_error": None, "self_selected": True,
                    "suppression": {"min_cell": 5, "hidden_cells": 0}},
    }


@pytest.fixture
def make_report(db, organisation) -> Callable[..., Report]:
    """Create a consultation and its report (published unless ``state`` says otherwise)."""

    def _make(
        title: str | dict[str, str] = "Parkering i Bjerke",
        *,
        org: Organisation | None = None,
        state: ReportState = ReportState.PUBLISHED,
        published_at: datetime = PUBLISHED,
        consultation: Consultation | None = None,
        summary: dict[str, str] | None = None,
        theme: Theme = Theme.TRAFFIC,
        districts: list[str] | None = None,
        what_we_heard: dict[str, str] | None = None,
        **snapshot_args: Any,
    ) -> Report:
        titles = title if isinstance(title, dict) else {"nb": title}
        if consultation is None:
            consultation = Consultation(
                organisation=org or organisation, public_id=new_token()[:16], kind=ConsultationKind.SURVEY,
                state=ConsultationState.PUBLISHED if state == ReportState.PUBLISHED else ConsultationState.CLOSED,
                title=titles, summary=summary or {}, languages=["nb", "en"],
            )
            db.session.add(consultation)
            db.session.flush()
        published = state == ReportState.PUBLISHED
        report = Report(
            consultation_id=consultation.id,
            consultation=consultation,
            state=state,
            sections=[s.value for s in Section if s not in (Section.GROUPS, Section.STATEMENTS)],
            what_we_heard=what_we_heard or {},
            next_steps={},
            theme=theme,
            districts=districts or [],
            breakdown="district",
            snapshot=snapshot(titles, **snapshot_args) if published else {},
            version=1 if published else 0,
            published_at=published_at if published else None,
        )
        db.session.add(report)
        db.session.commit()
        return report

    return _make


@pytest.fixture
def days() -> Callable[[int], datetime]:
    return lambda n: PUBLISHED - timedelta(days=n)
