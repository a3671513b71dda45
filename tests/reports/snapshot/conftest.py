"""Snapshot fixtures: a report of a consultation, and crafted survey data with small segments."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civic.consultations.models import Consultation
from civic.outreach.models import Channel, Invitation
from civic.reports.models import Report
from civic.reports.snapshot import build_snapshot
from civic.surveys.models import Survey
from tests.reports.conftest import make_response

#: Monday 16 November 2026, 10:00 UTC: the crafted responses' first week.
WEEK1 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def snapshot_of(db) -> Callable[..., dict[str, Any]]:
    """Build the snapshot of a consultation's (new, unsaved-to-disk) report, checked to be plain JSON."""

    def _build(consultation: Consultation, breakdown: str = "district") -> dict[str, Any]:
        report = Report(consultation=consultation, breakdown=breakdown)
        db.session.add(report)
        db.session.flush()
        snapshot = build_snapshot(db.session, report)
        assert json.loads(json.dumps(snapshot)) == snapshot
        db.session.rollback()  # a snapshot is pure read; nothing of the build is kept
        return snapshot

    return _build


@dataclass
class Crafted:
    """What was written, so tests can compare the snapshot with the truth."""

    survey: Survey
    #: per respondent: (district, single choice key, multiple choice keys, scale value, week index)
    people: list[tuple[str, str, list[str], int, int]] = field(default_factory=list)
    #: district → invitations
    invited: dict[str, int] = field(default_factory=dict)


#: Districts with 20, 12 and 3 respondents, and 2 through the public link ("not stated"): 37 in all. Single choice
#: (q0): "other" is chosen once, so hiding that one count alone would leave it as the respondents minus the rest.
#: Multiple choice (q1): everyone picks exactly one option, c1 29 times and c2, c3 4 times each, so "at least one
#: option each" (a sum of at least 37) would pin the two hidden 4s. Scale (q2): small cells in every district.
GROUPS: list[tuple[str, int, list[tuple[str, list[str], int]]]] = [
    # (district, week, [(single, multiple, scale) repeated by the count below])
    ("Årvoll", 0, [("c1", ["c1"], 4)] * 14 + [("c2", ["c1"], 2)] * 2 + [("c2", ["c2"], 2)] * 3 + [("c2", ["c3"], 1)]),
    ("Linderud", 0, [("c1", ["c1"], 3)] * 9 + [("c2", ["c1"], 3)] * 2 + [("other", ["c3"], 5)]),
    ("Veitvet", 1, [("c1", ["c2"], 4)] + [("c1", ["c3"], 4)] * 2),
    ("", 0, [("c1", ["c1"], 3)] * 2),
]
INVITED = {"Årvoll": 100, "Linderud": 60, "Veitvet": 4}


@pytest.fixture
def crafted(db, create_survey) -> Crafted:
    survey = create_survey()
    q = survey.questions
    result = Crafted(survey, invited=dict(INVITED))
    minute = 0
    for district, week, answers in GROUPS:
        for single, multiple, scale in answers:
            minute += 1
            fields = {"choice_keys": [single]}
            if single == "other":
                fields["text"] = "Har sykkel"
            make_response(
                db.session,
                survey,
                {q[0].id: fields, q[1].id: {"choice_keys": multiple}, q[2].id: {"number": scale}},
                submitted_at=WEEK1 + timedelta(weeks=week, minutes=minute),
                district=district,
            )
            result.people.append((district, single, multiple, scale, week))
    for district, count in INVITED.items():
        db.session.add_all(
            Invitation(
                consultation_id=survey.consultation_id,
                channel=Channel.EMAIL,
                district=district,
                sent_at=WEEK1 - timedelta(days=1),
            )
            for _ in range(count)
        )
    db.session.commit()
    return result
