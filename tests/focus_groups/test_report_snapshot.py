"""A focus group's public report: who took part (answered or voted), and topics quoting visible answers only."""

from __future__ import annotations

import json
from datetime import timedelta

from civic.consultations.models import ConsultationState
from civic.core.timeutils import now_utc
from civic.focus_groups.models import Contribution, ContributionVote, PromptKind
from civic.insight.models import AnalysisRun, RunKind, RunStatus
from civic.reports.models import Report
from civic.reports.publishing import sections_for
from civic.reports.snapshot import build_snapshot
from tests.insight.conftest import topic_result

ANSWERS = ["Tryggere skolevei", "Flere gangfelt ved skolen", "Bilfritt rundt skolen om morgenen"]
HIDDEN = "Ring meg på 412 34 567"


def test_participants_who_answered_or_voted_count_and_hidden_answers_are_never_quoted(
    db, create_focus_group, create_fg_participant
):
    group = create_focus_group(state=ConsultationState.CLOSED, prompts=[(PromptKind.OPEN, "Hva er viktigst?")])
    prompt = group.prompts[0]
    now = now_utc()
    authors = [create_fg_participant(group, district="Årvoll")[0] for _ in ANSWERS]
    answers = [
        Contribution(prompt_id=prompt.id, participant_id=author.id, text=text, created_at=now - timedelta(days=1))
        for author, text in zip(authors, ANSWERS, strict=True)
    ]
    troll, _key = create_fg_participant(group, district="Linderud")
    hidden = Contribution(prompt_id=prompt.id, participant_id=troll.id, text=HIDDEN, is_hidden=True)
    voter, _key = create_fg_participant(group, district="Linderud")
    create_fg_participant(group)  # took a seat, never answered or voted: not a participant of the report
    db.session.add_all([*answers, hidden])
    db.session.flush()
    db.session.add(ContributionVote(contribution_id=answers[0].id, participant_id=voter.id, value=1))
    documents = [("focus_group_answer", c.id) for c in [*answers, hidden]]
    db.session.add(
        AnalysisRun(
            consultation_id=group.consultation_id,
            kind=RunKind.TOPICS.value,
            status=RunStatus.DONE.value,
            params={"n_topics": None, "embedder": "none", "seed": 0},
            result=topic_result(documents, [0, 0, 0, 0], {0: "skolevei"}),
            created_at=now,
            finished_at=now,
        )
    )
    db.session.commit()

    report = Report(consultation=group.consultation, breakdown="district")
    report.sections = [section.value for section in sections_for(group.consultation)]
    db.session.add(report)
    db.session.flush()
    snapshot = build_snapshot(db.session, report)

    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["consultation"]["kind"] == "focus_group"
    assert snapshot["participation"]["responded"] == 5  # three authors, the troll (hidden later) and the voter
    quotes = snapshot["topics"]["topics"][0]["quotes"]
    assert HIDDEN not in quotes
    assert set(quotes) <= set(ANSWERS)
    assert quotes
    assert "groups" not in report.sections
    assert "statements" not in report.sections
