"""Focus-group factories shared by every focus-group test, and English messages unless a test asks otherwise.

``create_focus_group`` goes through the planner services (groups.py, guide.py) and then sets states directly, as
the hearing fixtures do, so a test can start from any point of a session's life without running the others.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.focus_groups import groups, guide
from civic.focus_groups.models import FocusGroup, FocusGroupMode, FocusGroupParticipant, PromptKind, SessionState

TITLE = {"nb": "Bilfrie gater rundt skolene", "en": "Car-free streets around the schools"}
SUMMARY = {"nb": "Snakk med oss om trafikken rundt skolene i Bjerke."}
#: The default guide: one open question.
DEFAULT_PROMPTS: list[tuple[Any, ...]] = [(PromptKind.OPEN, "Hva synes du om bilfrie gater rundt skolene?")]


@pytest.fixture(autouse=True)
def _english_by_default(request) -> None:
    if "app" in request.fixturenames:
        request.getfixturevalue("english_ui")


def _prompt_fields(spec: tuple[Any, ...] | dict[str, Any]) -> dict[str, Any]:
    """(kind, text) or (kind, text, options-or-statements) or a dict of add_prompt's keywords.

    Texts and items may be plain strings (Bokmål) or {lang: text} dicts.
    """
    if isinstance(spec, dict):
        return dict(spec)
    kind = PromptKind(spec[0])
    fields: dict[str, Any] = {"kind": kind, "text": spec[1]}
    if len(spec) > 2 and spec[2] is not None:
        fields["statements" if kind == PromptKind.STATEMENTS else "options"] = list(spec[2])
    return fields


@pytest.fixture
def create_focus_group(db, organisation) -> Callable[..., FocusGroup]:
    """Create a focus group (default: live, consultation OPEN, session SCHEDULED in an hour, public, one open
    prompt); commits.

    ``prompts`` is a list of ``(kind, text[, options or statements])`` or dicts of guide.add_prompt's keywords.
    An ASYNC group in state OPEN has its window running from now for ``async_days`` and all prompts open.
    """

    def _create(
        *,
        mode: FocusGroupMode | str = FocusGroupMode.LIVE,
        state: ConsultationState | str = ConsultationState.OPEN,
        session_state: SessionState | str = SessionState.SCHEDULED,
        access: Access | str = Access.PUBLIC,
        capacity: int = 50,
        prompts: Sequence[tuple[Any, ...] | dict[str, Any]] | None = None,
        starts_at: datetime | None = None,
        duration_minutes: int = 60,
        async_days: int = 7,
        languages: list[str] | None = None,
        title: dict[str, str] | None = None,
    ) -> FocusGroup:
        mode = FocusGroupMode(mode)
        now = now_utc()
        group = groups.create_focus_group(
            db.session,
            organisation,
            actor=None,
            title=title or TITLE,
            summary=SUMMARY,
            languages=languages or ["nb", "en"],
            access=Access(access),
            mode=mode,
            starts_at=starts_at or (now + timedelta(hours=1) if mode == FocusGroupMode.LIVE else None),
            duration_minutes=duration_minutes,
            capacity=capacity,
            async_days=async_days,
        )
        for spec in DEFAULT_PROMPTS if prompts is None else prompts:
            guide.add_prompt(db.session, group, **_prompt_fields(spec))
        consultation = group.consultation
        consultation.state = ConsultationState(state)
        if mode == FocusGroupMode.ASYNC and consultation.state != ConsultationState.DRAFT:
            consultation.opens_at = now
            consultation.closes_at = now + timedelta(days=async_days)
            groups.open_all_prompts(group, now=now)
        group.state = SessionState(session_state)
        if group.state != SessionState.SCHEDULED:
            group.started_at = now
        if group.state == SessionState.FINISHED:
            group.finished_at = now
        db.session.commit()
        return group

    return _create


@pytest.fixture
def create_fg_participant(db) -> Callable[..., tuple[FocusGroupParticipant, str]]:
    """Create a (cookie) participant of a focus group; returns (participant, key). The stored hash is
    ``hash_token(key)``; ``values`` override columns (pseudonym, invited, age_band, district, ...)."""
    numbers = itertools.count(1001)

    def _create(focus_group: FocusGroup, **values: Any) -> tuple[FocusGroupParticipant, str]:
        key = values.pop("key", None) or new_token()
        number = next(numbers)
        participant = FocusGroupParticipant(
            focus_group_id=focus_group.id,
            key_hash=hash_token(key),
            pseudonym=values.pop("pseudonym", f"Participant {number}"),
            **values,
        )
        db.session.add(participant)
        db.session.commit()
        return participant, key

    return _create
