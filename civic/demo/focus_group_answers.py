"""Synthetic answers and votes of the demo focus groups, with counters equal to the votes.

Each participant has a stance on car-free school streets ("for" or "against"); open answers carry one too
("all" for what both sides say). Polls, rankings and statements lean by stance, and votes on open answers agree
within a side and disagree across, so results, themes and opinion groups have a shape to show.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.orm import Session

from civic.demo import focus_group_content as content
from civic.focus_groups.models import Contribution, ContributionVote, Prompt, PromptKind, VoteValue

VOTES_PER_PARTICIPANT = 5


def _pick(pool: tuple[tuple[str, str], ...], stance: str, rng: random.Random) -> tuple[str, str]:
    fitting = [item for item in pool if item[0] in (stance, "all")] or list(pool)
    return rng.choice(fitting)


def answer_row(
    prompt: Prompt,
    participant_id: int,
    stance: str,
    at: datetime,
    rng: random.Random,
    pool: tuple[tuple[str, str], ...] | None,
) -> dict[str, Any]:
    text, choices, answer_stance = "", [], stance
    if prompt.kind == PromptKind.OPEN:
        if pool:
            answer_stance, text = _pick(pool, stance, rng)
        else:  # the first prompt: how the child travels, then the worry
            travel_stance, travel = _pick(content.TRAVEL, stance, rng)
            answer_stance, worry = _pick(content.WORRY, stance, rng)
            answer_stance = answer_stance if answer_stance != "all" else travel_stance
            text = f"{travel} {worry}"
    else:
        choices = _choices(prompt, stance, rng)
    return {
        "prompt_id": prompt.id,
        "participant_id": participant_id,
        "text": text,
        "choices": choices,
        "is_hidden": False,
        "is_highlighted": False,
        "agree_count": 0,
        "disagree_count": 0,
        "pass_count": 0,
        "created_at": at,
        "updated_at": at,
        "stance": answer_stance,
    }


def _choices(prompt: Prompt, stance: str, rng: random.Random) -> list[int]:
    size = len(prompt.options)
    pro = stance != "against"
    if prompt.kind == PromptKind.SINGLE_CHOICE:
        weights = [0.35, 0.5, 0.1, 0.05] if pro else [0.02, 0.15, 0.5, 0.33]
        return [rng.choices(range(size), weights=weights[:size] + [0.1] * (size - len(weights)))[0]]
    if prompt.kind == PromptKind.MULTIPLE_CHOICE:
        base = [0.6, 0.4, 0.5, 0.3, 0.3, 0.5] if pro else [0.8, 0.5, 0.1, 0.6, 0.5, 0.1]
        weights = dict(enumerate((base + [0.3] * size)[:size]))
        most = prompt.max_choices or size
        chosen: list[int] = []
        for _ in range(rng.randint(max(prompt.min_choices, 1), most)):
            option = rng.choices(list(weights), weights=list(weights.values()))[0]
            chosen.append(option)
            weights.pop(option)
        return sorted(chosen)
    if prompt.kind == PromptKind.RANKING:
        bias = [1.5, 1.0, 0.3, 0.0] + [0.0] * size  # Årvoll's traffic is what everyone talks about
        return sorted(range(size), key=lambda i: -(bias[i] + rng.gauss(0, 0.8)))
    # Statements: one vote per statement; the two sides disagree on the last two.
    agree = [0.9, 0.85, 0.3, 0.25] if pro else [0.55, 0.3, 0.85, 0.8]
    votes = []
    for i in range(len(prompt.statements)):
        p = agree[i] if i < len(agree) else 0.5
        roll = rng.random()
        votes.append(int(VoteValue.AGREE if roll < p else VoteValue.PASS if roll < p + 0.1 else VoteValue.DISAGREE))
    return votes


def _vote(voter: str, author: str, rng: random.Random) -> int:
    if author == "all":
        weights = (0.75, 0.2, 0.05)
    elif voter == author:
        weights = (0.8, 0.1, 0.1)
    else:
        weights = (0.15, 0.15, 0.7)
    return int(rng.choices((VoteValue.AGREE, VoteValue.PASS, VoteValue.DISAGREE), weights=weights)[0])


def insert_answers_and_votes(
    session: Session,
    prompts: list[Prompt],
    rows: list[dict[str, Any]],
    stances: dict[int, str],
    rng: random.Random,
) -> dict[int, int]:
    """Insert the answers and, on open prompts with voting, each participant's votes on others' visible answers.

    Counters are computed from the votes inserted, so they equal them. Returns {id(row): contribution id}.
    """
    # Lists, not sets: the RNG must be drawn in the same order whatever ids the database hands out.
    votable = [p.id for p in prompts if p.kind == PromptKind.OPEN and p.voting_enabled]
    closes = {p.id: p.closed_at for p in prompts}  # a live prompt takes no votes after it closed
    table = Contribution.__table__
    columns = {c.name for c in table.columns}
    ids = list(
        session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{k: v for k, v in row.items() if k in columns} for row in rows],
        )
    )
    by_row = {id(row): contribution_id for row, contribution_id in zip(rows, ids, strict=True)}
    votes = []
    counts: dict[int, list[int]] = {}
    for prompt_id in votable:
        answers = [(row, by_row[id(row)]) for row in rows if row["prompt_id"] == prompt_id and not row["is_hidden"]]
        for voter in dict.fromkeys(row["participant_id"] for row, _id in answers):
            others = [(row, cid) for row, cid in answers if row["participant_id"] != voter]
            for row, cid in rng.sample(others, min(VOTES_PER_PARTICIPANT, len(others))):
                value = _vote(stances[voter], row["stance"], rng)
                at = row["created_at"] + timedelta(seconds=rng.randint(20, 200))
                at = min(at, closes[prompt_id]) if closes[prompt_id] else at
                votes.append(
                    {
                        "contribution_id": cid,
                        "participant_id": voter,
                        "value": value,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                tally = counts.setdefault(cid, [0, 0, 0])
                tally[{1: 0, -1: 1, 0: 2}[value]] += 1
                row["agree_count"], row["disagree_count"], row["pass_count"] = tally
    if votes:
        session.execute(insert(ContributionVote.__table__), votes)
    if counts:
        session.execute(
            table.update()
            .where(table.c.id == bindparam("cid"))
            .values(agree_count=bindparam("a"), disagree_count=bindparam("d"), pass_count=bindparam("p")),
            [{"cid": cid, "a": a, "d": d, "p": p} for cid, (a, d, p) in counts.items()],
        )
    return by_row
