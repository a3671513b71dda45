"""Planner forms for consultations: texts per language, access and local (Europe/Oslo) dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from civic.consultations.models import Access, Consultation
from civic.core.i18n import LANGUAGE_NAMES

LOCAL_ZONE = ZoneInfo("Europe/Oslo")
LANGUAGES = ("nb", "nn", "en")
TEXT_FIELDS = ("title", "summary", "body")


def local_to_utc(value: datetime | None) -> datetime | None:
    """Read a naive datetime-local value as Oslo time and return it in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """Return a stored UTC datetime as naive Oslo time for a datetime-local input."""
    if value is None:
        return None
    return value.astimezone(LOCAL_ZONE).replace(tzinfo=None)


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes sharing one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConsultationTextsForm(FlaskForm):
    """The fields every consultation form starts with: its languages, and title and summary per language."""

    languages = MultiCheckboxField(
        _l("Languages"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validators=[InputRequired(message=_l("Choose at least one language."))],
        default=["nb"],
    )
    title_nb = StringField(_l("Title (Bokmål)"), validators=[Optional(), Length(max=200)])
    title_nn = StringField(_l("Title (Nynorsk)"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    summary_nb = TextAreaField(_l("Summary (Bokmål)"), validators=[Optional(), Length(max=1000)])
    summary_nn = TextAreaField(_l("Summary (Nynorsk)"), validators=[Optional(), Length(max=1000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Optional(), Length(max=1000)])


class ConsultationForm(ConsultationTextsForm):
    """Create or edit a consultation; the texts of unchosen languages are dropped on save."""

    body_nb = TextAreaField(_l("Background (Bokmål)"), validators=[Optional(), Length(max=20000)])
    body_nn = TextAreaField(_l("Background (Nynorsk)"), validators=[Optional(), Length(max=20000)])
    body_en = TextAreaField(_l("Background (English)"), validators=[Optional(), Length(max=20000)])
    access = RadioField(
        _l("Who may answer"),
        choices=[
            SelectChoice(Access.PUBLIC.value, _l("Everyone with the public link")),
            SelectChoice(Access.INVITED.value, _l("Only invited residents (personal links)")),
        ],
        default=Access.PUBLIC.value,
        validators=[InputRequired(message=_l("Choose who may answer."))],
    )
    opens_at = DateTimeLocalField(_l("Opens (Norwegian time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes (Norwegian time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        """Also require a title in every chosen language and a closing time after the opening time."""
        ok = super().validate(extra_validators)
        for code in self.chosen_languages():
            field = self[f"title_{code}"]
            if not (field.data or "").strip():
                field.errors = [
                    *field.errors,
                    _l("Write a title in %(language)s.", language=LANGUAGE_NAMES[code]),
                ]
                ok = False
        if self.opens_at.data and self.closes_at.data and self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors = [
                *self.closes_at.errors,
                _l("The closing time must be after the opening time."),
            ]
            ok = False
        return ok

    def chosen_languages(self) -> list[str]:
        """Return the chosen languages in their fixed order (bokmål first)."""
        chosen = self.languages.data or []
        return [code for code in LANGUAGES if code in chosen]

    def to_fields(self) -> dict[str, Any]:
        """Return keyword arguments for the consultation services."""
        languages = self.chosen_languages()
        fields: dict[str, Any] = {
            name: {code: (self[f"{name}_{code}"].data or "").strip() for code in languages} for name in TEXT_FIELDS
        }
        fields.update(
            languages=languages,
            access=Access(self.access.data),
            opens_at=local_to_utc(self.opens_at.data),
            closes_at=local_to_utc(self.closes_at.data),
        )
        return fields

    def fill_from(self, consultation: Consultation) -> None:
        """Show the stored values (dates in Oslo time)."""
        self.languages.data = list(consultation.languages or ["nb"])
        for name in TEXT_FIELDS:
            texts = getattr(consultation, name) or {}
            for code in LANGUAGES:
                self[f"{name}_{code}"].data = texts.get(code, "")
        self.access.data = consultation.access
        self.opens_at.data = utc_to_local(consultation.opens_at)
        self.closes_at.data = utc_to_local(consultation.closes_at)


class StateChangeForm(FlaskForm):
    """One button per allowed transition; the button's value names the target state."""

    to_state = StringField(validators=[InputRequired()])


class MoveForm(FlaskForm):
    """ "Move up" / "Move down" buttons without JavaScript (survey questions and sections, focus-group prompts)."""

    direction = SelectField(choices=[SelectChoice("up"), SelectChoice("down")], validators=[InputRequired()])

    @property
    def offset(self) -> int:
        return -1 if self.direction.data == "up" else 1


class OrderForm(FlaskForm):
    """The new order after drag and drop: comma-separated ids."""

    order = StringField(validators=[InputRequired()])

    def ids(self) -> list[int]:
        """Return the ids, or raise ValueError."""
        return [int(part) for part in self.order.data.split(",") if part.strip()]
