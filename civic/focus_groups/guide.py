"""The discussion guide: add, edit, delete and reorder the prompts a moderator pushes (or async participants answer).

Texts are {lang: text}; options (polls, rankings) and statements are lists of such dicts, item i of every language
forming item i. Only pending prompts may change: once a prompt has been shown to participants its answers refer to
its wording and options, so editing it would change what they answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from civic.core.errors import InvalidInputError, StateError
from civic.focus_groups.groups import guide_is_locked
from civic.focus_groups.models import FocusGroup, Prompt, PromptKind, PromptState, SessionState

OPTION_KINDS = frozenset({PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE, PromptKind.RANKING})
MAX_ITEMS = 20
MAX_ITEM_LENGTH = 300
MAX_TEXT_LENGTH = 2000
MIN_ANSWER_LENGTH, MAX_ANSWER_LENGTH = 50, 5000
MAX_PROMPTS = 100


def clean_texts(texts: dict[str, Any] | str | None, default_language: str = "nb") -> dict[str, str]:
    """Strip each language's text and drop the empty ones; a plain string is the default language's text."""
    if isinstance(texts, str):
        texts = {default_language: texts}
    return {lang: str(text).strip() for lang, text in (texts or {}).items() if text and str(text).strip()}


def clean_items(items: Sequence[Any] | None, default_language: str = "nb") -> list[dict[str, str]]:
    """Options or statements as a list of {lang: text}, empty ones dropped."""
    cleaned = [clean_texts(item, default_language) for item in items or []]
    return [item for item in cleaned if item]


def items_from_lines(lines_by_language: dict[str, str]) -> list[dict[str, str]]:
    """Turn "one per line" text areas (one per language) into items: line i of each language is item i.

    Raises InvalidInputError when the languages have different numbers of lines, since the items would not
    line up (option 3 in Bokmål would be option 2 in English).
    """
    split = {
        lang: [line.strip() for line in (text or "").splitlines() if line.strip()]
        for lang, text in lines_by_language.items()
    }
    filled = {lang: lines for lang, lines in split.items() if lines}
    counts = {len(lines) for lines in filled.values()}
    if len(counts) > 1:
        raise InvalidInputError(_("Write the same number of lines in every language, one item per line."))
    count = counts.pop() if counts else 0
    return [{lang: lines[index] for lang, lines in filled.items()} for index in range(count)]


def lines_from_items(items: Sequence[dict[str, str]], language: str) -> str:
    """The reverse of items_from_lines, for one language's text area."""
    return "\n".join((item or {}).get(language, "") for item in items)


def check_prompt(
    *,
    kind: PromptKind,
    text: dict[str, str],
    options: list[dict[str, str]],
    statements: list[dict[str, str]],
    min_choices: int,
    max_choices: int | None,
    max_length: int,
    languages: Sequence[str] = (),
) -> None:
    """Raise InvalidInputError with the planner's message when a prompt cannot be answered as written."""
    if not text:
        raise InvalidInputError(_("Write the prompt's text."))
    missing = [lang for lang in languages if lang not in text]
    if missing:
        raise InvalidInputError(_("Write the prompt's text in every language of the focus group."))
    if any(len(value) > MAX_TEXT_LENGTH for value in text.values()):
        raise InvalidInputError(_("The prompt's text is too long: at most %(max)s characters.", max=MAX_TEXT_LENGTH))
    items = options if kind in OPTION_KINDS else statements
    if any(len(value) > MAX_ITEM_LENGTH for item in items for value in item.values()):
        raise InvalidInputError(
            _("An option or statement is too long: at most %(max)s characters.", max=MAX_ITEM_LENGTH)
        )
    if len(items) > MAX_ITEMS:
        raise InvalidInputError(_("At most %(max)s options or statements.", max=MAX_ITEMS))
    if kind in OPTION_KINDS and len(options) < 2:
        raise InvalidInputError(_("Give at least two options, one per line."))
    if kind == PromptKind.STATEMENTS and not statements:
        raise InvalidInputError(_("Give at least one statement, one per line."))
    if kind == PromptKind.MULTIPLE_CHOICE:
        if min_choices < 0 or min_choices > len(options):
            raise InvalidInputError(_("The least number of choices must be between 0 and the number of options."))
        if max_choices is not None and not max(min_choices, 1) <= max_choices <= len(options):
            raise InvalidInputError(
                _("The most choices must be at least the least number and at most the number of options.")
            )
    if kind == PromptKind.OPEN and not MIN_ANSWER_LENGTH <= max_length <= MAX_ANSWER_LENGTH:
        raise InvalidInputError(
            _(
                "The longest answer must be between %(low)s and %(high)s characters.",
                low=MIN_ANSWER_LENGTH,
                high=MAX_ANSWER_LENGTH,
            )
        )


def _values(group: FocusGroup, fields: dict[str, Any], prompt: Prompt | None = None) -> dict[str, Any]:
    """Normalise a prompt's fields (defaults from ``prompt`` when editing) and validate them."""
    default = group.consultation.default_language
    kind = PromptKind(fields.get("kind", prompt.kind if prompt else PromptKind.OPEN))
    values: dict[str, Any] = {
        "kind": kind,
        "text": clean_texts(fields.get("text", prompt.text if prompt else {}), default),
        "help_text": clean_texts(fields.get("help_text", prompt.help_text if prompt else {}), default),
        "options": clean_items(fields.get("options", prompt.options if prompt else []), default),
        "statements": clean_items(fields.get("statements", prompt.statements if prompt else []), default),
        "min_choices": int(fields.get("min_choices", prompt.min_choices if prompt else 1)),
        "max_choices": fields.get("max_choices", prompt.max_choices if prompt else None),
        "voting_enabled": bool(fields.get("voting_enabled", prompt.voting_enabled if prompt else True)),
        "max_length": int(fields.get("max_length", prompt.max_length if prompt else 1000)),
    }
    if values["max_choices"] is not None:
        values["max_choices"] = int(values["max_choices"])
    # Keep only what the kind uses, so a prompt changed from poll to open carries no stale options.
    if kind not in OPTION_KINDS:
        values["options"] = []
    if kind != PromptKind.STATEMENTS:
        values["statements"] = []
    if kind != PromptKind.MULTIPLE_CHOICE:
        values["min_choices"], values["max_choices"] = 1, None
    check_prompt(
        kind=kind,
        text=values["text"],
        options=values["options"],
        statements=values["statements"],
        min_choices=values["min_choices"],
        max_choices=values["max_choices"],
        max_length=values["max_length"],
        languages=fields.get("require_languages", ()),
    )
    return values


def _require_editable_guide(group: FocusGroup) -> None:
    if group.state == SessionState.FINISHED:
        raise StateError(_("This session has finished: its guide can no longer change."))
    if guide_is_locked(group):
        raise StateError(_("The guide of an asynchronous focus group cannot change once it has opened."))


def require_pending(prompt: Prompt) -> None:
    """Prompts already shown to participants keep their wording and options."""
    if prompt.state != PromptState.PENDING:
        raise StateError(
            _("This prompt has already been shown to participants and can no longer be edited or deleted.")
        )


def add_prompt(session: Session, group: FocusGroup, **fields: Any) -> Prompt:
    """Add a prompt at the end of the guide; flushes."""
    _require_editable_guide(group)
    if len(group.prompts) >= MAX_PROMPTS:
        raise InvalidInputError(_("A guide has at most %(max)s prompts.", max=MAX_PROMPTS))
    values = _values(group, fields)
    position = max((p.position for p in group.prompts), default=-1) + 1
    prompt = Prompt(position=position, **values)
    group.prompts.append(prompt)
    session.flush()
    return prompt


def update_prompt(session: Session, prompt: Prompt, **fields: Any) -> Prompt:
    """Change a pending prompt; flushes."""
    group = prompt.focus_group
    _require_editable_guide(group)
    require_pending(prompt)
    for name, value in _values(group, fields, prompt).items():
        setattr(prompt, name, value)
    session.flush()
    return prompt


def delete_prompt(session: Session, prompt: Prompt) -> None:
    """Delete a pending prompt and close the gap in positions; flushes."""
    group = prompt.focus_group
    _require_editable_guide(group)
    require_pending(prompt)
    group.prompts.remove(prompt)
    session.flush()
    _renumber(group.prompts)
    session.flush()


def move_prompt(session: Session, prompt: Prompt, offset: int) -> bool:
    """Move a prompt up (-1) or down (+1) among the pending ones; False when it is already at that end.

    Prompts already shown stay where they are: the order of what happened is the transcript's order.
    """
    group = prompt.focus_group
    _require_editable_guide(group)
    require_pending(prompt)
    ordered = list(group.prompts)
    index = ordered.index(prompt)
    target = index + offset
    if target < 0 or target >= len(ordered) or ordered[target].state != PromptState.PENDING:
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    session.flush()
    _sort(group)
    return True


def reorder_prompts(session: Session, group: FocusGroup, ordered_ids: Sequence[int]) -> None:
    """Put the guide in the given order (drag and drop); prompts already shown must keep their places."""
    _require_editable_guide(group)
    by_id = {p.id: p for p in group.prompts}
    if sorted(ordered_ids) != sorted(by_id):
        raise InvalidInputError(_("The order does not match the guide. Reload the page and try again."))
    new = [by_id[i] for i in ordered_ids]
    for old, moved in zip(group.prompts, new, strict=True):
        if (old.state != PromptState.PENDING or moved.state != PromptState.PENDING) and old is not moved:
            raise StateError(_("Prompts already shown to participants keep their place in the guide."))
    _renumber(new)
    session.flush()
    _sort(group)


def _renumber(prompts: Sequence[Prompt]) -> None:
    for position, prompt in enumerate(prompts):
        prompt.position = position


def _sort(group: FocusGroup) -> None:
    group.prompts.sort(key=lambda p: p.position)


def kind_label(kind: PromptKind | str) -> str:
    """The translated name of a prompt kind."""
    labels = {
        PromptKind.OPEN: _("Open question"),
        PromptKind.SINGLE_CHOICE: _("Poll: one choice"),
        PromptKind.MULTIPLE_CHOICE: _("Poll: several choices"),
        PromptKind.RANKING: _("Ranking"),
        PromptKind.STATEMENTS: _("Statements: agree or disagree"),
    }
    return labels[PromptKind(kind)]


def state_label(state: PromptState | str) -> str:
    labels = {
        PromptState.PENDING: _("not shown yet"),
        PromptState.OPEN: _("open"),
        PromptState.CLOSED: _("closed"),
    }
    return labels[PromptState(state)]
