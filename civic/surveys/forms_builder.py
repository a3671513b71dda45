"""Forms of the survey builder. Texts have one field per language; only the survey's languages are shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from civic.core.i18n import LANGUAGE_NAMES
from civic.surveys.models import CHOICE_KINDS, Question, QuestionKind

LANGUAGES = ("nb", "nn", "en")
K = QuestionKind


def kind_labels() -> dict[str, Any]:
    """Return the translated name of each question kind."""
    return {
        K.SINGLE_CHOICE: _l("Single choice"),
        K.MULTIPLE_CHOICE: _l("Multiple choice"),
        K.SCALE: _l("Scale"),
        K.SHORT_TEXT: _l("Short text"),
        K.LONG_TEXT: _l("Long text"),
        K.NUMBER: _l("Number"),
        K.DATE: _l("Date"),
        K.RANKING: _l("Ranking"),
        K.MAP_POINT: _l("Point on a map"),
    }


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in kind_labels().items()]


#: Contract key of Question.settings → form field, per kind (to show a service's SettingsError in place).
SETTINGS_FIELDS: dict[QuestionKind, dict[str, str]] = {
    K.MULTIPLE_CHOICE: {"min_choices": "min_choices", "max_choices": "max_choices"},
    K.SCALE: {"min": "scale_min", "max": "scale_max"},
    K.SHORT_TEXT: {"max_length": "max_length"},
    K.LONG_TEXT: {"max_length": "max_length"},
    K.NUMBER: {"min": "number_min", "max": "number_max", "integer": "integer"},
    K.DATE: {"min_date": "min_date", "max_date": "max_date"},
}


def _text_fields(
    name: str, label: str, field_cls: type = StringField, max_length: int = 1000
) -> dict[str, Any]:
    return {
        f"{name}_{code}": field_cls(
            _l("%(what)s (%(language)s)", what=label, language=LANGUAGE_NAMES[code]),
            validators=[Optional(), Length(max=max_length)],
        )
        for code in LANGUAGES
    }


class LanguageForm(FlaskForm):
    """A form whose texts are per language; ``languages`` are the survey's, the first is the default."""

    def __init__(self, *args: Any, languages: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = [code for code in (languages or ["nb"]) if code in LANGUAGES] or ["nb"]

    def texts(self, name: str) -> dict[str, str]:
        """Return {language: text} for the survey's languages."""
        return {code: (self[f"{name}_{code}"].data or "").strip() for code in self.languages}

    def fill_texts(self, name: str, values: dict[str, str] | None) -> None:
        """Show stored texts in the per-language fields."""
        for code in LANGUAGES:
            self[f"{name}_{code}"].data = (values or {}).get(code, "")

    def require_text(self, name: str, message: Any) -> bool:
        """Add ``message`` to the default language's field if no language has a text."""
        if any(self.texts(name).values()):
            return True
        field = self[f"{name}_{self.languages[0]}"]
        field.errors = [*field.errors, message]
        return False


SectionForm = type(
    "SectionForm",
    (LanguageForm,),
    {
        **_text_fields("title", _l("Section title"), max_length=200),
        **_text_fields("description", _l("Introduction"), TextAreaField, max_length=2000),
        "__doc__": "Rename a section or add one.",
    },
)


class _NewQuestionBase(LanguageForm):
    kind = SelectField(_l("Question type"), choices=_kind_choices, validators=[InputRequired()])

    def validate(self, extra_validators: Any = None) -> bool:
        """Also require the question text in some language."""
        ok = super().validate(extra_validators)
        return self.require_text("text", _l("Write the question.")) and ok


NewQuestionForm = type(
    "NewQuestionForm",
    (_NewQuestionBase,),
    {**_text_fields("text", _l("Question"), max_length=1000), "__doc__": "Add a question to a section."},
)


class _QuestionBase(_NewQuestionBase):
    is_required = BooleanField(_l("An answer is required"))
    has_other = BooleanField(_l("Offer “Other, please specify”"))
    min_choices = IntegerField(_l("Choose at least"), validators=[Optional()])
    max_choices = IntegerField(_l("Choose at most"), validators=[Optional()])
    scale_min = IntegerField(_l("Lowest value"), validators=[Optional()])
    scale_max = IntegerField(_l("Highest value"), validators=[Optional()])
    max_length = IntegerField(_l("Maximum length (characters)"), validators=[Optional()])
    number_min = FloatField(_l("Smallest number allowed"), validators=[Optional()])
    number_max = FloatField(_l("Largest number allowed"), validators=[Optional()])
    integer = BooleanField(_l("Whole numbers only"))
    min_date = DateField(_l("Earliest date"), validators=[Optional()])
    max_date = DateField(_l("Latest date"), validators=[Optional()])

    def settings(self) -> dict[str, Any]:
        """Return the submitted settings under their contract keys (the service validates them)."""
        kind = self.kind.data
        raw: dict[str, Any] = {}
        for key, field_name in SETTINGS_FIELDS.get(K(kind), {}).items():
            value = self[field_name].data
            raw[key] = value.isoformat() if hasattr(value, "isoformat") else value
        if kind == K.SCALE:
            raw["min_label"] = self.texts("min_label")
            raw["max_label"] = self.texts("max_label")
        return raw

    def fill_from(self, question: Question) -> None:
        """Show the stored question."""
        self.kind.data = question.kind
        self.fill_texts("text", question.text)
        self.fill_texts("help", question.help_text)
        self.is_required.data = question.is_required
        self.has_other.data = any(choice.is_other for choice in question.choices)
        settings = question.settings or {}
        for key, field_name in SETTINGS_FIELDS.get(K(question.kind), {}).items():
            self[field_name].data = settings.get(key)
        for name in ("min_date", "max_date"):
            value = settings.get(name) if question.kind == K.DATE else None
            self[name].data = self[name].data if value is None else _parse_date(value)
        if question.kind == K.SCALE:
            self.fill_texts("min_label", settings.get("min_label"))
            self.fill_texts("max_label", settings.get("max_label"))

    def error_field(self, settings_key: str) -> Any:
        """Return the form field that shows an error about ``settings_key``."""
        name = SETTINGS_FIELDS.get(K(self.kind.data), {}).get(settings_key)
        return self[name] if name else self.kind


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


QuestionForm = type(
    "QuestionForm",
    (_QuestionBase,),
    {
        **_text_fields("text", _l("Question"), max_length=1000),
        **_text_fields("help", _l("Help text"), TextAreaField, max_length=2000),
        **_text_fields("min_label", _l("Label of the lowest value"), max_length=100),
        **_text_fields("max_label", _l("Label of the highest value"), max_length=100),
        "__doc__": "Edit a question: texts, required flag, kind and kind-specific settings.",
    },
)


class _ChoiceBase(LanguageForm):
    def validate(self, extra_validators: Any = None) -> bool:
        """Also require the choice text in some language."""
        ok = super().validate(extra_validators)
        return self.require_text("label", _l("Write the text of the choice.")) and ok


ChoiceForm = type(
    "ChoiceForm",
    (_ChoiceBase,),
    {**_text_fields("label", _l("Choice"), max_length=300), "__doc__": "Add or edit a choice."},
)


class ConditionForm(FlaskForm):
    """Checkboxes "<question id>:<choice key>" per earlier question; none checked means always shown."""

    choices = SelectMultipleField(_l("Show this question only if the answer includes"), choices=[])

    def __init__(self, *args: Any, sources: list[Question] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources or []
        self.choices.choices = [
            SelectChoice(f"{q.id}:{c.key}", c.key) for q in self.sources for c in q.choices
        ]

    def parsed(self) -> tuple[int | None, list[str]]:
        """Return (question id, choice keys); several questions at once is an error shown on the field."""
        pairs = [value.split(":", 1) for value in self.choices.data or []]
        question_ids = {int(qid) for qid, _key in pairs}
        if len(question_ids) > 1:
            raise ValueError
        return (question_ids.pop() if question_ids else None), [key for _qid, key in pairs]

    def fill_from(self, question: Question) -> None:
        """Check the stored condition."""
        if question.condition_question_id:
            self.choices.data = [
                f"{question.condition_question_id}:{key}" for key in question.condition_choice_keys
            ]


class VersionForm(FlaskForm):
    """Start a new version of the survey's structure."""

    reason = TextAreaField(
        _l("Why is a new version needed?"),
        validators=[InputRequired(message=_l("Say why a new version is needed.")), Length(max=2000)],
    )


def has_choices(kind: str) -> bool:
    """Return True if questions of ``kind`` have choices."""
    return kind in CHOICE_KINDS
