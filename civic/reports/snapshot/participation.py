"""Participation: invited, reached, responded, respondents per week, and respondents by segment against the
population that was invited.

* **invited**: the consultation's campaign invitations — those a campaign made or a message was sent for
  (``campaign_id`` or ``sent_at`` set). Personal links a planner hands out by hand (no campaign, nothing sent)
  are not a sampled population and do not count. No invitations → ``None`` (public link only); the registry
  cannot count its population by segment without fetching every resident, so ``population_source`` is then None.
* **reached**: invitations sent and not bounced.
* **responded**: submitted responses (survey), or participants who commented or voted (hearing) or answered or
  voted (focus group).
* **by_week**: respondents by the Monday (Europe/Oslo) of the week they submitted (hearing: of their first comment
  or vote); every week from the first to the last is listed; suppressed with the total (``responded``) known.
* **segments**: per dimension, a table of segments × (population, respondents). Each column is suppressed on its
  own with its total known (``population_total``, ``respondents_total``); the rows' sums mean nothing and are not
  printed. Shares are of those with a stated segment when the "not stated" row's count is printed, otherwise of
  everyone (a hidden "not stated" count must not be recoverable from a share's denominator); "not stated" rows
  have no shares. ``representation`` = respondent share / population share; below ``UNDER_REPRESENTED`` the
  segment is flagged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, union_all

from civic.focus_groups.models import Contribution, ContributionVote, FocusGroupParticipant, Prompt
from civic.hearings.models import Comment, Participant, Vote, VoteEvent
from civic.outreach.models import Invitation
from civic.reports import queries
from civic.reports.snapshot.context import DIMENSIONS, NOT_STATED, Build, monday, ordered_segments, week_of
from civic.reports.snapshot.suppressed import share, shown, suppress_column
from civic.surveys.models import ResponseState, SurveyResponse

#: A segment whose share of respondents is below this fraction of its share of the population is under-represented.
UNDER_REPRESENTED = 0.8


@dataclass
class SegmentCounts:
    """One dimension's respondents as counted, and which segments' respondent counts the snapshot hides.

    The results' breakdowns by the same dimension hide at least these segments too, so no table shows a
    count another one hides.
    """

    dimension: str
    respondents: dict[str, int]
    hidden: set[str] = field(default_factory=set)


@dataclass
class Participation:
    data: dict[str, Any]
    segments: dict[str, SegmentCounts]


@dataclass
class _Raw:
    responded: int
    #: (age_band, district, household_type) → respondents
    by_segment: Counter[tuple[str, str, str]]
    #: Monday → respondents
    by_week: Counter[date]


def participation(build: Build) -> Participation:
    raw = _raw(build)
    invited, reached, population = _invitations(build)
    responded = raw.responded
    rate = round(responded / invited, 4) if invited and responded <= invited else None
    tables = []
    counted: dict[str, SegmentCounts] = {}
    for dimension in DIMENSIONS:
        table, counts = _segment_table(build, dimension, raw, population, invited)
        if table is not None:
            tables.append(table)
            counted[dimension] = counts
    data = {
        "invited": invited,
        "reached": reached,
        "responded": responded,
        "response_rate": rate,
        "by_week": _weeks(build, raw),
        "segments": tables,
    }
    return Participation(data, counted)


def _raw(build: Build) -> _Raw:
    if build.survey is not None:
        return _survey_raw(build)
    if build.hearing is not None:
        return _hearing_raw(build)
    if build.focus_group is not None:
        return _focus_group_raw(build)
    return _Raw(0, Counter(), Counter())


def _survey_raw(build: Build) -> _Raw:
    assert build.survey is not None
    session, survey_id = build.session, build.survey.id
    columns = (SurveyResponse.age_band, SurveyResponse.district, SurveyResponse.household_type)
    by_segment: Counter[tuple[str, str, str]] = Counter()
    for age_band, district, household, count in session.execute(
        select(*columns, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id == survey_id, SurveyResponse.state == ResponseState.SUBMITTED)
        .group_by(*columns)
    ):
        by_segment[(age_band or "", district or "", household or "")] += int(count)
    # The results page's own count per local day (hourly SQL buckets), folded into weeks.
    counts = queries.counts(session, survey_id, queries.Filters())
    by_week: Counter[date] = Counter()
    for day, count in counts.by_day:
        by_week[monday(day)] += count
    return _Raw(sum(by_segment.values()), by_segment, by_week)


def _hearing_raw(build: Build) -> _Raw:
    """Participants who commented or voted, with their segment and the week of their first contribution."""
    assert build.hearing is not None
    hearing_id = build.hearing.id
    acts = union_all(
        select(Comment.participant_id.label("participant"), Comment.created_at.label("at")).where(
            Comment.hearing_id == hearing_id
        ),
        # The vote history has every vote's first time; current votes cover votes written without one (imports).
        select(VoteEvent.participant_id, VoteEvent.created_at)
        .join(Comment, Comment.id == VoteEvent.comment_id)
        .where(Comment.hearing_id == hearing_id),
        select(Vote.participant_id, Vote.updated_at)
        .join(Comment, Comment.id == Vote.comment_id)
        .where(Comment.hearing_id == hearing_id),
    ).subquery()
    first = select(acts.c.participant, func.min(acts.c.at).label("first_at")).group_by(acts.c.participant).subquery()
    rows = build.session.execute(
        select(Participant.age_band, Participant.district, Participant.household_type, first.c.first_at).join(
            first, first.c.participant == Participant.id
        )
    )
    by_segment: Counter[tuple[str, str, str]] = Counter()
    by_week: Counter[date] = Counter()
    for age_band, district, household, first_at in rows:
        by_segment[(age_band or "", district or "", household or "")] += 1
        if first_at is not None:
            by_week[week_of(first_at)] += 1
    return _Raw(sum(by_segment.values()), by_segment, by_week)


def _focus_group_raw(build: Build) -> _Raw:
    """Participants who answered or voted, with their segment and the week of their first contribution.

    Participants who only took a seat are not counted: like a hearing's readers, they did not take part.
    """
    assert build.focus_group is not None
    group_id = build.focus_group.id
    acts = union_all(
        select(Contribution.participant_id.label("participant"), Contribution.created_at.label("at"))
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .where(Prompt.focus_group_id == group_id),
        select(ContributionVote.participant_id, ContributionVote.created_at)
        .join(Contribution, Contribution.id == ContributionVote.contribution_id)
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .where(Prompt.focus_group_id == group_id),
    ).subquery()
    first = select(acts.c.participant, func.min(acts.c.at).label("first_at")).group_by(acts.c.participant).subquery()
    rows = build.session.execute(
        select(
            FocusGroupParticipant.age_band,
            FocusGroupParticipant.district,
            FocusGroupParticipant.household_type,
            first.c.first_at,
        ).join(first, first.c.participant == FocusGroupParticipant.id)
    )
    by_segment: Counter[tuple[str, str, str]] = Counter()
    by_week: Counter[date] = Counter()
    for age_band, district, household, first_at in rows:
        by_segment[(age_band or "", district or "", household or "")] += 1
        if first_at is not None:
            by_week[week_of(first_at)] += 1
    return _Raw(sum(by_segment.values()), by_segment, by_week)


def _invitations(build: Build) -> tuple[int | None, int | None, Counter[tuple[str, str, str]]]:
    """(invited, reached, invited by segment); (None, None, {}) without campaign invitations."""
    campaign_made = or_(Invitation.campaign_id.is_not(None), Invitation.sent_at.is_not(None))
    reached = func.sum(case((and_(Invitation.sent_at.is_not(None), Invitation.bounced_at.is_(None)), 1), else_=0))
    columns = (Invitation.age_band, Invitation.district, Invitation.household_type)
    population: Counter[tuple[str, str, str]] = Counter()
    reached_total = 0
    for age_band, district, household, count, reached_count in build.session.execute(
        select(*columns, func.count(Invitation.id), reached)
        .where(Invitation.consultation_id == build.consultation.id, campaign_made)
        .group_by(*columns)
    ):
        population[(age_band or "", district or "", household or "")] += int(count)
        reached_total += int(reached_count or 0)
    invited = sum(population.values())
    if not invited:
        return None, None, population
    return invited, reached_total, population


def _weeks(build: Build, raw: _Raw) -> list[dict[str, Any]]:
    if not raw.by_week:
        return []
    first, last = min(raw.by_week), max(raw.by_week)
    weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    counts = [raw.by_week.get(week, 0) for week in weeks]
    hidden = suppress_column(counts, total_known=True)
    build.tally.add(hidden)
    return [
        {"week": week.isoformat(), "respondents": shown(count, hide)}
        for week, count, hide in zip(weeks, counts, hidden, strict=True)
    ]


def _segment_table(
    build: Build,
    dimension: str,
    raw: _Raw,
    population: Counter[tuple[str, str, str]],
    invited: int | None,
) -> tuple[dict[str, Any] | None, SegmentCounts]:
    position = DIMENSIONS.index(dimension)
    respondents: Counter[str] = Counter()
    for key, count in raw.by_segment.items():
        respondents[key[position]] += count
    people: Counter[str] = Counter()
    for key, count in population.items():
        people[key[position]] += count
    counts = SegmentCounts(dimension, dict(respondents))
    if not any(value != NOT_STATED for value in (*respondents, *people)):
        return None, counts
    segments = ordered_segments(dimension, [*respondents, *people])
    has_population = invited is not None
    resp = [respondents.get(segment, 0) for segment in segments]
    pop = [people.get(segment, 0) for segment in segments]
    resp_hidden = suppress_column(resp, total_known=True)
    pop_hidden = suppress_column(pop, total_known=True) if has_population else [False] * len(pop)
    counts.hidden = {segment for segment, hide in zip(segments, resp_hidden, strict=True) if hide}
    hidden_cells = build.tally.add(resp_hidden) + (build.tally.add(pop_hidden) if has_population else 0)
    resp_base = _share_base(segments, resp, resp_hidden)
    pop_base = _share_base(segments, pop, pop_hidden) if has_population else None
    rows = []
    for segment, r, r_hide, p, p_hide in zip(segments, resp, resp_hidden, pop, pop_hidden, strict=True):
        stated = segment != NOT_STATED
        r_shown = shown(r, r_hide)
        p_shown = shown(p, p_hide) if has_population else None
        r_share = share(r_shown, resp_base) if stated else None
        p_share = share(p_shown, pop_base) if stated else None
        ratio = r_share / p_share if r_share is not None and p_share else None
        representation = round(ratio, 3) if ratio is not None else None
        rows.append(
            {
                "segment": segment,
                "population": p_shown,
                "respondents": r_shown,
                "population_share": p_share,
                "respondent_share": r_share,
                "representation": representation,
                "under_represented": None if ratio is None else ratio < UNDER_REPRESENTED,
            }
        )
    table = {
        "dimension": dimension,
        "population_source": "invited" if has_population else None,
        "population_total": invited,
        "respondents_total": raw.responded,
        "rows": rows,
        "hidden_cells": hidden_cells,
    }
    return table, counts


def _share_base(segments: list[str], counts: list[int], hidden: list[bool]) -> int:
    """Those with a stated segment when the "not stated" count is printed (or absent), else everyone."""
    total = sum(counts)
    if NOT_STATED not in segments:
        return total
    index = segments.index(NOT_STATED)
    return total if hidden[index] else total - counts[index]
