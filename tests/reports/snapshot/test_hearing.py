"""The snapshot of a hearing: participants by segment, published statements only, moderation with its reasons,
topics and opinion groups from finished runs, and no survey results."""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import timedelta

import pytest

from civic.core.timeutils import now_utc
from civic.hearings.models import (
    CommentState,
    Flag,
    FlagReason,
    FormalStatement,
    StatementState,
    Vote,
    VoteEvent,
)
from civic.insight.models import AnalysisRun, RunKind, RunStatus
from tests.insight.conftest import topic_result
from tests.reports.snapshot.checker import Reader, hidden_values_that_are_pinned, small_shown

#: civic/insight/__init__.py binds ``civic.insight.runs`` to the views module; the service is in sys.modules.
runs = importlib.import_module("civic.insight.runs")

SHARED = "Vi trenger tryggere skoleveier rundt Årvoll skole"
CAMP_A = ["Beboerparkering er bra for gata", "Fjern gjennomgangstrafikken", "Flere parkeringsplasser ved senteret"]
CAMP_B = ["Parkering bør være gratis for alle", "Ingen nye bomstasjoner i bydelen", "Bygg et nytt parkeringshus"]


@pytest.fixture
def hearing(db, create_hearing, create_participant, create_comment):
    """22 voters in two camps (11 in Årvoll, 10 in Linderud, one in Økern), seven published comments, moderated
    comments, four formal statements in every state, a topic run and an opinion-group run."""
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comments = {text: create_comment(hearing, author, text) for text in [SHARED, *CAMP_A, *CAMP_B]}
    now = now_utc()
    for n in range(22):
        district = "Økern" if n == 21 else "Årvoll" if n % 2 == 0 else "Linderud"
        participant, _key = create_participant(hearing, invited=True, district=district)
        camp_a = n % 2 == 0
        votes = {SHARED: 1, **{t: 1 if camp_a else -1 for t in CAMP_A}, **{t: -1 if camp_a else 1 for t in CAMP_B}}
        for text, value in votes.items():
            at = now - timedelta(days=8 if n < 15 else 1)
            db.session.add(
                Vote(comment_id=comments[text].id, participant_id=participant.id, value=value, updated_at=at)
            )
            db.session.add(
                VoteEvent(comment_id=comments[text].id, participant_id=participant.id, value=value, created_at=at)
            )
    # Moderation: one hidden for personal data, two flagged as offensive, one on the moderator's own judgement.
    troll, _key = create_participant(hearing)
    create_comment(hearing, troll, "Ring 412 34 567", state=CommentState.HIDDEN, hold_reasons=["personal_data"])
    for text in ("Stygg kommentar", "Enda en stygg kommentar"):
        flagged = create_comment(hearing, troll, text, state=CommentState.HIDDEN, hold_reasons=["flagged"])
        db.session.add(Flag(comment_id=flagged.id, participant_id=author.id, reason=FlagReason.OFFENSIVE.value))
    create_comment(hearing, troll, "Reklame for bilvask", state=CommentState.HIDDEN)
    create_comment(hearing, troll, "Venter på moderator", state=CommentState.PENDING)
    create_comment(hearing, troll, "Angret", state=CommentState.DELETED)
    for state, signer, organisation in (
        (StatementState.PUBLISHED, "Kari Nordmann", "Årvoll velforening"),
        (StatementState.PUBLISHED, "Ola Hansen", ""),
        (StatementState.PENDING, "Per Venter", ""),
        (StatementState.REJECTED, "Avvist Person", ""),
    ):
        db.session.add(
            FormalStatement(
                hearing_id=hearing.id,
                signer_name=signer,
                organisation_name=organisation,
                body="Vi støtter forslaget. " * 30,
                state=state,
                submitted_at=now - timedelta(days=3),
            )
        )
    db.session.commit()
    published = [comments[t] for t in [SHARED, *CAMP_A, *CAMP_B]]
    documents = [("hearing_comment", c.id) for c in published]
    db.session.add(
        AnalysisRun(
            consultation_id=hearing.consultation_id,
            kind=RunKind.TOPICS.value,
            status=RunStatus.DONE.value,
            params={"n_topics": None, "embedder": "multilingual", "seed": 0},
            result=topic_result(documents, [0, 1, 1, 1, 2, 2, 2], {0: "skolevei", 1: "parkering", 2: "gratis"}),
            created_at=now,
            finished_at=now,
        )
    )
    run = runs.start_run(db.session, hearing.consultation, RunKind.OPINION_GROUPS, {"seed": 0}, actor=None)
    db.session.commit()
    assert runs.execute_run(db.session, run.id).status == RunStatus.DONE
    return hearing


def test_a_hearing_snapshot(hearing, snapshot_of):
    snapshot = snapshot_of(hearing.consultation, "district")
    assert snapshot["consultation"]["kind"] == "hearing"
    assert snapshot["questions"] is None
    assert snapshot["headline"]["statements"] == 2
    assert snapshot["headline"]["respondents"] == 22 + 2  # the voters, the author of the comments and the troll

    participation = snapshot["participation"]
    assert participation["invited"] is None
    assert participation["response_rate"] is None
    assert participation["responded"] == 24
    weeks = participation["by_week"]
    assert len(weeks) >= 2  # 15 voters a week ago, the others since
    shown = [w["respondents"] for w in weeks]
    assert all(n is None or n >= 5 for n in shown)
    if None not in shown:
        assert sum(shown) == 24
    districts = next(t for t in participation["segments"] if t["dimension"] == "district")
    assert districts["population_source"] is None
    rows = {row["segment"]: row for row in districts["rows"]}
    assert rows["Årvoll"]["respondents"] == 11
    assert rows["Linderud"]["respondents"] == 10
    assert rows["Økern"]["respondents"] is None  # one participant
    assert rows[""]["respondents"] is None  # the comments' author and the troll carry no segment: 2, hidden
    assert rows["Årvoll"]["population"] is None

    statements = snapshot["statements"]
    assert statements["count"] == 2
    assert [s["signer"] for s in statements["items"]] == ["Kari Nordmann", "Ola Hansen"]
    assert statements["items"][0]["organisation"] == "Årvoll velforening"
    assert len(statements["items"][0]["excerpt"]) <= 300

    moderation = snapshot["moderation"]
    assert moderation["submitted"] == 7 + 6
    assert moderation["published"] == 7
    assert moderation["removed"] == 4
    assert moderation["pending"] == 1
    assert moderation["deleted"] == 1
    assert [r["reason"] for r in moderation["reasons"]] == ["personal_data", "offensive", "moderator"]
    reader = Reader()
    reader.add_list("reason", [r["count"] for r in moderation["reasons"]], [1, 2, 1], moderation["removed"])
    assert small_shown(reader) == []
    assert hidden_values_that_are_pinned(reader) == []

    topics = snapshot["topics"]
    assert topics["mode"] == "discover"
    assert [t["label"] for t in topics["topics"]] == ["parkering", "gratis", "skolevei"]
    assert [t["size"] for t in topics["topics"]] == [3, 3, 1]  # public comments: printed as they are
    assert topics["topics"][0]["quotes"] == CAMP_A

    groups = snapshot["groups"]
    assert groups["participants"] == 22
    assert groups["grouped"] == 22
    assert sorted(g["size"] for g in groups["groups"]) == [11, 11]
    assert all(g["statements"] for g in groups["groups"] if g["size"])
    texts = {s["text"] for g in groups["groups"] for s in g["statements"]}
    assert texts <= {SHARED, *CAMP_A, *CAMP_B}
    assert any(item["text"] == SHARED for item in groups["consensus"])
    assert all(0 <= (item["spread"] or 0) <= 1 for item in groups["divisive"])

    honesty = snapshot["honesty"]
    assert honesty["sampling_frame"]["kind"] == "public_link"
    assert honesty["margin_of_error"]["population"] is None
    assert honesty["margin_of_error"]["points"] == round(100 * 1.959964 * (0.25 / 24) ** 0.5, 1)


def test_moderation_reasons_add_up_to_the_removed_comments(
    hearing, snapshot_of, create_comment, create_participant, db
):
    troll, _key = create_participant(hearing)
    for n in range(6):
        create_comment(hearing, troll, f"Lenke nummer {n}", state=CommentState.HIDDEN, hold_reasons=["link"])
    moderation = snapshot_of(hearing.consultation)["moderation"]
    counts = dict(Counter({r["reason"]: r["count"] for r in moderation["reasons"]}))
    assert counts["link"] == 6
    assert moderation["removed"] == 10
    # 6 shown; the three small reasons hide each other (their sum, 4, is known; none of them is).
    assert [counts[code] for code in ("personal_data", "offensive", "moderator")] == [None, None, None]
