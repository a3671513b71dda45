"""Planner forms for focus groups: the group's settings and a prompt of the discussion guide.

Dates are entered and shown in Norwegian time (Europe/Oslo) and stored in UTC. Options and statements are typed
one per line, one text area per language; guide.items_from_lines lines them up.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from civic.consultations.forms import (
    LANGUAGES,
    ConsultationTextsForm,
    local_to_utc,
    utc_to_local,
)
from civic.consultations.models import Access
from civic.core.i18n import LANGUAGE_NAMES
from civic.core.timeutils import now_utc
from civic.focus_groups import groups
from civic.focus_groups.guide import (
    MAX_ANSWER_LENGTH,
    MIN_ANSWER_LENGTH,
    OPTION_KINDS,
    items_from_lines,
    lines_from_items,
)
from civic.focus_groups.models import FocusGroup, FocusGroupMode, Prompt, PromptKind

MODE_CHOICES = [
    SelectChoice(FocusGroupMode.LIVE.value, _l("Live: a moderated session at a set time")),
    SelectChoice(FocusGroupMode.ASYNC.value, _l("Asynchronous: the guide is open for some days, answered at own pace")),
]
ACCESS_CHOICES = [
    SelectChoice(Access.INVITED.value, _l("Only invited residents (personal links)")),
    SelectChoice(Access.PUBLIC.value, _l("Everyone with the public link")),
]
KIND_CHOICES = [
    SelectChoice(PromptKind.OPEN.value, _l("Open question")),
    SelectChoice(PromptKind.SINGLE_CHOICE.value, _l("Poll: one choice")),
    SelectChoice(PromptKind.MULTIPLE_CHOICE.value, _l("Poll: several choices")),
    SelectChoice(PromptKind.RANKING.value, _l("Ranking")),
    SelectChoice(PromptKind.STATEMENTS.value, _l("Statements: agree or disagree")),
]


def _number(low: int, high: int, message: Any) -> list[Any]:
    return [InputRequired(message=message), NumberRange(min=low, max=high, message=message)]


class FocusGroupForm(ConsultationTextsForm):
    """Create a focus group or change its settings; the texts of unchosen languages are dropped on save."""

    mode = RadioField(
        _l("Mode"),
        choices=MODE_CHOICES,
        default=FocusGroupMode.LIVE.value,
        validators=[InputRequired(message=_l("Choose live or asynchronous."))],
    )
    access = RadioField(
        _l("Who may take part"),
        choices=ACCESS_CHOICES,
        default=Access.INVITED.value,
        validators=[InputRequired(message=_l("Choose who may take part."))],
    )
    starts_at = DateTimeLocalField(
        _l("Starts (Norwegian time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=_number(
            groups.MIN_DURATION,
            groups.MAX_DURATION,
            _l("Give the duration in minutes, between 10 and 480."),
        ),
    )
    capacity = IntegerField(
        _l("Most participants"),
        default=30,
        validators=_number(
            groups.MIN_CAPACITY, groups.MAX_CAPACITY, _l("Give the capacity as a number between 2 and 1000.")
        ),
    )
    async_days = IntegerField(
        _l("Days open (asynchronous)"),
        default=7,
        validators=_number(
            groups.MIN_ASYNC_DAYS, groups.MAX_ASYNC_DAYS, _l("Give the number of days, between 1 and 60.")
        ),
    )

    #: A new session must start in the future; a session being edited may already have started.
    future_start = False

    def validate(self, extra_validators: Any = None) -> bool:
        """Also require a title in every chosen language and a start time for live sessions."""
        ok = super().validate(extra_validators)
        for code in self.chosen_languages():
            field = self[f"title_{code}"]
            if not (field.data or "").strip():
                field.errors = [*field.errors, _l("Write a title in %(language)s.", language=LANGUAGE_NAMES[code])]
                ok = False
        live = self.mode.data == FocusGroupMode.LIVE.value
        if live and self.starts_at.data is None and not self.starts_at.errors:
            self.starts_at.errors = [*self.starts_at.errors, _l("A live session needs a start date and time.")]
            ok = False
        starts_at = local_to_utc(self.starts_at.data)
        if live and self.future_start and starts_at is not None and starts_at <= now_utc():
            self.starts_at.errors = [*self.starts_at.errors, _l("The start must be in the future.")]
            ok = False
        return ok

    def chosen_languages(self) -> list[str]:
        chosen = self.languages.data or []
        return [code for code in LANGUAGES if code in chosen]

    def to_fields(self) -> dict[str, Any]:
        """Keyword arguments for groups.create_focus_group / update_settings."""
        languages = self.chosen_languages()
        return {
            "title": {code: (self[f"title_{code}"].data or "").strip() for code in languages},
            "summary": {code: text for code in languages if (text := (self[f"summary_{code}"].data or "").strip())},
            "languages": languages,
            "access": Access(self.access.data),
            "mode": FocusGroupMode(self.mode.data),
            "starts_at": local_to_utc(self.starts_at.data),
            "duration_minutes": self.duration_minutes.data,
            "capacity": self.capacity.data,
            "async_days": self.async_days.data,
        }

    def fill_from(self, group: FocusGroup) -> None:
        """Show the stored values (the start in Norwegian time)."""
        consultation = group.consultation
        self.languages.data = list(consultation.languages or ["nb"])
        for name in ("title", "summary"):
            texts = getattr(consultation, name) or {}
            for code in LANGUAGES:
                self[f"{name}_{code}"].data = texts.get(code, "")
        self.access.data = consultation.access
        self.mode.data = group.mode
        self.starts_at.data = utc_to_local(group.starts_at)
        self.duration_minutes.data = group.duration_minutes
        self.capacity.data = group.capacity
        self.async_days.data = group.async_days


class PromptForm(FlaskForm):
    """One prompt of the guide: texts per language, the kind and what the kind needs.

    ``languages`` is the focus group's; only those languages' fields are shown and read.
    """

    kind = SelectField(_l("Kind of prompt"), choices=KIND_CHOICES, default=PromptKind.OPEN.value)
    text_nb = TextAreaField(_l("Prompt (Bokmål)"), validators=[Optional(), Length(max=2000)])
    text_nn = TextAreaField(_l("Prompt (Nynorsk)"), validators=[Optional(), Length(max=2000)])
    text_en = TextAreaField(_l("Prompt (English)"), validators=[Optional(), Length(max=2000)])
    help_nb = TextAreaField(_l("Help text (Bokmål)"), validators=[Optional(), Length(max=1000)])
    help_nn = TextAreaField(_l("Help text (Nynorsk)"), validators=[Optional(), Length(max=1000)])
    help_en = TextAreaField(_l("Help text (English)"), validators=[Optional(), Length(max=1000)])
    items_nb = TextAreaField(_l("Options or statements, one per line (Bokmål)"), validators=[Optional()])
    items_nn = TextAreaField(_l("Options or statements, one per line (Nynorsk)"), validators=[Optional()])
    items_en = TextAreaField(_l("Options or statements, one per line (English)"), validators=[Optional()])
    min_choices = IntegerField(
        _l("Least number of choices"),
        default=1,
        validators=[Optional(), NumberRange(min=0, max=20, message=_l("Give a number between 0 and 20."))],
    )
    max_choices = IntegerField(
        _l("Most choices"),
        validators=[Optional(), NumberRange(min=1, max=20, message=_l("Give a number between 1 and 20."))],
    )
    max_length = IntegerField(
        _l("Longest answer (characters)"),
        default=1000,
        validators=[
            Optional(),
            NumberRange(
                min=MIN_ANSWER_LENGTH,
                max=MAX_ANSWER_LENGTH,
                message=_l("Give a number between 50 and 5000."),
            ),
        ],
    )
    voting_enabled = BooleanField(_l("Participants vote on each other's answers"), default=True)

    def __init__(self, *args: Any, languages: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = [code for code in LANGUAGES if code in (languages or ["nb"])]

    def texts(self, name: str) -> dict[str, str]:
        return {code: (self[f"{name}_{code}"].data or "").strip() for code in self.languages}

    def to_fields(self) -> dict[str, Any]:
        """Keyword arguments for guide.add_prompt / update_prompt; raises InvalidInputError for misaligned lines."""
        kind = PromptKind(self.kind.data)
        items = items_from_lines(self.texts("items"))
        return {
            "kind": kind,
            "text": self.texts("text"),
            "help_text": self.texts("help"),
            "options": items if kind in OPTION_KINDS else [],
            "statements": items if kind == PromptKind.STATEMENTS else [],
            "min_choices": self.min_choices.data if self.min_choices.data is not None else 1,
            "max_choices": self.max_choices.data,
            "max_length": self.max_length.data or 1000,
            "voting_enabled": bool(self.voting_enabled.data),
            "require_languages": self.languages,
        }

    def fill_from(self, prompt: Prompt) -> None:
        self.kind.data = prompt.kind
        items = prompt.options if prompt.kind in OPTION_KINDS else prompt.statements
        for code in LANGUAGES:
            self[f"text_{code}"].data = (prompt.text or {}).get(code, "")
            self[f"help_{code}"].data = (prompt.help_text or {}).get(code, "")
            self[f"items_{code}"].data = lines_from_items(items or [], code)
        self.min_choices.data = prompt.min_choices
        self.max_choices.data = prompt.max_choices
        self.max_length.data = prompt.max_length
        self.voting_enabled.data = prompt.voting_enabled
