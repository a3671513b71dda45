"""A report's figures, built once at publication into plain JSON (see ``civic.reports.models``).

``build_snapshot(session, report)`` reads (never writes) the consultation's responses or contributions, its
invitations and its finished analysis runs, and returns the schema of ``/work/briefs/reports.md`` (``schema`` 1),
already suppressed: no count of 1–4 people is printed anywhere, and no hidden count can be worked out from what is
printed (``analysis.suppression``, with secondary suppression; each part's module says which totals it assumes the
reader knows). Renderers print what is there and never compute a hidden number.

Parts (each module documents its own definitions):

* ``participation`` — invited, reached, responded, weeks, respondents by segment against the invited population;
* ``questions`` (surveys: every question's answers counted in a few GROUP BY queries by ``answers``; ``closed``
  for choice and scale questions with their breakdown by ``report.breakdown``, suppressed together with the
  participation table; ``distributions`` for numbers, dates, rankings and map points);
* ``topics`` — the latest finished topic run with the planners' edits; ``groups`` — opinion groups (hearings);
* ``hearing`` — formal statements and moderation (hearings); ``honesty`` — sampling frame, margin of error.

Fields added to the brief's schema: ``consultation.public_id``, ``consultation.state``; question ``suppressed``
(fewer than 5 respondents: nothing but the count is printed); ``map.cell_degrees``; topics ``model_id``,
``hidden_topics``; participation rows' ``under_represented`` is None when no representation can be computed;
groups ``grouped`` (participants placed in a group), statements' ``direction``, divisive ``score`` and ``votes``;
statement items ``id`` and ``has_attachment``; moderation ``pending`` and ``deleted`` (reason codes:
``hearing.REASON_CODES``); honesty ``sampling_frame.campaigns``. A segment value ``""`` is "not stated".

For renderers: ``SECTION_DATA`` maps each report section to the snapshot key it renders (None: the section is the
planner's own text or the report's outcomes, not snapshot data); ``SCHEMA`` is the current schema number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from civic.core.timeutils import now_utc
from civic.reports.models import Report, Section
from civic.reports.snapshot import groups, hearing, honesty, participation, questions, topics
from civic.reports.snapshot.context import Build, iso, texts
from civic.reports.snapshot.suppressed import MIN_CELL

__all__ = ["SCHEMA", "SECTION_DATA", "build_snapshot"]

SCHEMA = 1
SECTION_DATA: dict[Section, str | None] = {
    Section.WHAT_WE_HEARD: None,
    Section.PARTICIPATION: "participation",
    Section.RESULTS: "questions",
    Section.TOPICS: "topics",
    Section.GROUPS: "groups",
    Section.STATEMENTS: "statements",
    Section.NEXT_STEPS: None,
    Section.OUTCOMES: None,
    Section.HONESTY: "honesty",
}


def build_snapshot(session: Session, report: Report) -> dict[str, Any]:
    """Return the report's frozen, suppressed figures (schema: /work/briefs/reports.md). Pure read, no commit."""
    build = Build.start(session, report)
    taking_part = participation.participation(build)
    results = questions.questions(build, taking_part.segments)
    topic_data = topics.topics(build)
    group_data = groups.groups(build)
    statement_data = hearing.statements(build)
    moderation_data = hearing.moderation(build)
    figures = taking_part.data
    # Last: the panel reports how many values every other part hid.
    honesty_data = honesty.honesty(build, figures)
    return {
        "schema": SCHEMA,
        "built_at": now_utc().isoformat(),
        "min_cell": MIN_CELL,
        "consultation": _consultation(build),
        "headline": {
            "respondents": figures["responded"],
            "invited": figures["invited"],
            "response_rate": figures["response_rate"],
            "texts": _texts(results, topic_data, moderation_data),
            "topics": len(topic_data["topics"]) if topic_data else 0,
            "statements": statement_data["count"] if statement_data else 0,
        },
        "participation": figures,
        "questions": results,
        "topics": topic_data,
        "groups": group_data,
        "statements": statement_data,
        "moderation": moderation_data,
        "honesty": honesty_data,
    }


def _consultation(build: Build) -> dict[str, Any]:
    consultation = build.consultation
    return {
        "kind": str(consultation.kind),
        "title": texts(consultation.title),
        "summary": texts(consultation.summary),
        "languages": build.languages,
        "opens_at": iso(consultation.opens_at),
        "closes_at": iso(consultation.closes_at),
        "organisation": consultation.organisation.name,
        "public_id": consultation.public_id,
        "state": str(consultation.state),
    }


def _texts(
    results: list[dict[str, Any]] | None, topic_data: dict[str, Any] | None, moderation_data: dict[str, Any] | None
) -> int:
    """The texts the topics were made of; without a topic run, the free texts (survey: the printed counts of its
    text questions) or the published comments (hearing)."""
    if topic_data is not None:
        return int(topic_data["texts"])
    if results is not None:
        return sum(int(item["texts"] or 0) for item in results)
    if moderation_data is not None:
        return int(moderation_data["published"])
    return 0
