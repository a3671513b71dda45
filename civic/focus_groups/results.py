"""What a prompt's answers add up to: poll tallies, ranking means, statement votes, open answers with their votes.

One reader for everyone who shows results: the moderator console and observer pages (live panels) and the
participants' page once the moderator shared a prompt's results. Hidden answers are left out everywhere here
(they stay in the transcript only), so nothing the moderator hid can reach a participant or an observer through
the results. Services only read; no flush, no commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.focus_groups.models import Contribution, FocusGroupParticipant, Prompt, PromptKind, VoteValue


@dataclass
class OptionTally:
    """A poll option: how many answers chose it and their share of the answers (0–1; multiple choice sums >1)."""

    index: int
    label: Any  # {lang: text} or str, rendered with the |loc filter
    count: int
    share: float

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class RankingRow:
    """A ranked option: the mean position it was given (1 = first) and how often it was put first."""

    index: int
    label: Any
    mean_rank: float | None
    first_place_count: int
    ranked_count: int


@dataclass
class StatementTally:
    """Agree / disagree / pass on one statement of a statements prompt."""

    index: int
    text: Any
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0

    @property
    def agree_percent(self) -> int:
        return round(self.share(self.agree) * 100)

    @property
    def disagree_percent(self) -> int:
        return round(self.share(self.disagree) * 100)

    @property
    def pass_percent(self) -> int:
        return round(self.share(self.passed) * 100)


@dataclass
class OpenAnswer:
    """A visible open answer with the votes others gave it."""

    id: int
    text: str
    pseudonym: str
    agree: int
    disagree: int
    passed: int
    is_highlighted: bool

    @property
    def vote_count(self) -> int:
        return self.agree + self.disagree + self.passed


@dataclass
class PromptResults:
    prompt: Prompt
    kind: str
    #: Visible (not hidden) answers to the prompt.
    answer_count: int
    options: list[OptionTally] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    statements: list[StatementTally] = field(default_factory=list)
    #: Open prompts: highlighted answers first, then by agreement, then oldest first.
    answers: list[OpenAnswer] = field(default_factory=list)
    #: Open prompts: the themes found so far ({label, words, answer_ids, size}), see themes.py.
    themes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def highlighted(self) -> list[OpenAnswer]:
        return [answer for answer in self.answers if answer.is_highlighted]


def _int_list(value: Any) -> list[int]:
    """Stored choices as ints; anything malformed is dropped rather than failing a whole results page."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, int) and not isinstance(item, bool)]


def _poll(prompt: Prompt, rows: list[Contribution]) -> list[OptionTally]:
    counts = [0] * len(prompt.options)
    for row in rows:
        for index in set(_int_list(row.choices)):
            if 0 <= index < len(counts):
                counts[index] += 1
    total = len(rows)
    return [
        OptionTally(index=i, label=label, count=counts[i], share=(counts[i] / total if total else 0.0))
        for i, label in enumerate(prompt.options)
    ]


def _ranking(prompt: Prompt, rows: list[Contribution]) -> list[RankingRow]:
    size = len(prompt.options)
    rank_sums = [0] * size
    ranked = [0] * size
    firsts = [0] * size
    for row in rows:
        order = _int_list(row.choices)
        seen: set[int] = set()
        for position, index in enumerate(order, start=1):
            if 0 <= index < size and index not in seen:
                seen.add(index)
                rank_sums[index] += position
                ranked[index] += 1
                if position == 1:
                    firsts[index] += 1
    result = [
        RankingRow(
            index=i,
            label=label,
            mean_rank=(rank_sums[i] / ranked[i]) if ranked[i] else None,
            first_place_count=firsts[i],
            ranked_count=ranked[i],
        )
        for i, label in enumerate(prompt.options)
    ]
    # Best (lowest mean rank) first; options nobody ranked last, in the guide's order.
    result.sort(key=lambda row: (row.mean_rank is None, row.mean_rank or 0.0, row.index))
    return result


def _statements(prompt: Prompt, rows: list[Contribution]) -> list[StatementTally]:
    tallies = [StatementTally(index=i, text=text) for i, text in enumerate(prompt.statements)]
    for row in rows:
        votes = row.choices if isinstance(row.choices, list) else []
        for index, value in enumerate(votes[: len(tallies)]):
            if not isinstance(value, int) or isinstance(value, bool):
                continue  # a statement the participant skipped (None) or a malformed value
            if value == VoteValue.AGREE:
                tallies[index].agree += 1
            elif value == VoteValue.DISAGREE:
                tallies[index].disagree += 1
            elif value == VoteValue.PASS:
                tallies[index].passed += 1
    return tallies


def _open_answers(session: Session, prompt: Prompt) -> list[OpenAnswer]:
    rows = session.execute(
        select(
            Contribution.id,
            Contribution.text,
            FocusGroupParticipant.pseudonym,
            Contribution.agree_count,
            Contribution.disagree_count,
            Contribution.pass_count,
            Contribution.is_highlighted,
        )
        .join(FocusGroupParticipant, FocusGroupParticipant.id == Contribution.participant_id)
        .where(Contribution.prompt_id == prompt.id, Contribution.is_hidden.is_(False), Contribution.text != "")
        .order_by(
            Contribution.is_highlighted.desc(),
            (Contribution.agree_count - Contribution.disagree_count).desc(),
            Contribution.created_at,
            Contribution.id,
        )
    ).all()
    return [OpenAnswer(*row) for row in rows]


def prompt_results(session: Session, prompt: Prompt) -> PromptResults:
    """The prompt's results from its visible answers, shaped for its kind."""
    if prompt.kind == PromptKind.OPEN:
        answers = _open_answers(session, prompt)
        themes = prompt.themes.get("themes", []) if isinstance(prompt.themes, dict) else []
        return PromptResults(prompt=prompt, kind=prompt.kind, answer_count=len(answers), answers=answers, themes=themes)
    rows = list(
        session.scalars(
            select(Contribution).where(Contribution.prompt_id == prompt.id, Contribution.is_hidden.is_(False))
        )
    )
    results = PromptResults(prompt=prompt, kind=prompt.kind, answer_count=len(rows))
    if prompt.kind in (PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE):
        results.options = _poll(prompt, rows)
    elif prompt.kind == PromptKind.RANKING:
        results.ranking = _ranking(prompt, rows)
    elif prompt.kind == PromptKind.STATEMENTS:
        results.statements = _statements(prompt, rows)
    return results
