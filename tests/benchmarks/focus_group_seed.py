"""Benchmark data for bench_focus_group: a live public focus group with a six-prompt guide, participants with
known keys, and the moderator (the console's services in the benchmark's own process)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from civic import create_app
from civic.accounts.models import Organisation
from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.extensions import db
from civic.focus_groups import groups, guide, live
from civic.focus_groups.models import Contribution, FocusGroup, FocusGroupMode, FocusGroupParticipant, PromptKind
from tests.benchmarks import seed

GUIDE = [
    (PromptKind.OPEN, "Hva er det beste med skoleveien i dag?"),
    (PromptKind.SINGLE_CHOICE, "Hvilken gate bør bli bilfri først?", ["Årvollveien", "Tonsenveien", "Refstadveien"]),
    (PromptKind.OPEN, "Hva bekymrer deg mest ved bilfrie gater?"),
    (PromptKind.SINGLE_CHOICE, "Når på dagen bør gaten være bilfri?", ["Morgen", "Ettermiddag", "Hele dagen"]),
    (PromptKind.OPEN, "Hvordan bør bydelen følge opp?"),
    (PromptKind.OPEN, "Noe mer du vil si?"),
]


@dataclass
class Prepared:
    url: str
    secret: str
    public_id: str
    group_id: int
    prompt_ids: list[int]
    prompt_kinds: dict[int, str]
    keys: list[str]


def prepare(name: str, participants: int) -> Prepared:
    seed.recreate_database(name)
    url = seed.database_url(name)
    secret = secrets.token_hex(32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": secret})
    with app.app_context(), app.test_request_context():
        db.create_all()
        organisation = Organisation(slug="bench", name="Bydel Bench", parent_name="Oslo kommune")
        db.session.add(organisation)
        db.session.flush()
        group = groups.create_focus_group(
            db.session,
            organisation,
            actor=None,
            title={"nb": "Bilfrie gater rundt skolene – fokusgruppe"},
            access=Access.PUBLIC,
            mode=FocusGroupMode.LIVE,
            starts_at=now_utc(),
            capacity=min(1000, participants + 10),
        )
        for kind, text, *options in GUIDE:
            guide.add_prompt(db.session, group, kind=kind, text=text, **({"options": options[0]} if options else {}))
        group.consultation.state = ConsultationState.OPEN
        keys = [new_token() for _ in range(participants)]
        rows = [
            {"focus_group_id": group.id, "key_hash": hash_token(k), "pseudonym": f"Deltaker {1000 + i}"}
            for i, k in enumerate(keys)
        ]
        db.session.execute(insert(FocusGroupParticipant), rows)
        db.session.commit()
        prepared = Prepared(
            url,
            secret,
            group.consultation.public_id,
            group.id,
            [p.id for p in group.prompts],
            {p.id: p.kind for p in group.prompts},
            keys,
        )
        db.engine.dispose()
    return prepared


class Moderator:
    """The console's services in this process, against the benchmark database (commits as a view does)."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": prepared.url, "TESTING": False, "SECRET_KEY": "x"})

    def _act(self, action) -> tuple[int, float]:
        with self.app.app_context(), self.app.test_request_context():
            group = db.session.get(FocusGroup, self.prepared.group_id)
            action(group)
            db.session.commit()
            committed = time.monotonic()
            return group.version, committed

    def start(self) -> tuple[int, float]:
        return self._act(lambda group: live.start_session(db.session, group, actor=None))

    def push(self, index: int) -> tuple[int, float]:
        prompt_id = self.prepared.prompt_ids[index]

        def push(group: FocusGroup) -> None:
            prompt = next(p for p in group.prompts if p.id == prompt_id)
            live.push_prompt(db.session, group, prompt, actor=None)

        return self._act(push)

    def bump(self) -> tuple[int, float]:
        """A change participants must see, for the SSE phase (the version is all its streams carry)."""

        def bump(group: FocusGroup) -> None:
            group.version += 1

        return self._act(bump)

    def answers(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count(Contribution.id))) or 0
