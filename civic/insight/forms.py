"""Forms for insight: starting a topic or opinion-group run, and editing topics."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from civic.insight.topic_edits import MAX_LABEL

EMBEDDER_CHOICES = [
    SelectChoice("multilingual", _l("Multilingual language model (Norwegian, Danish, Swedish, German, English …)")),
    SelectChoice("english", _l("English language model (for English comments only)")),
    SelectChoice("none", _l("No language model: word counts only (fast, less precise)")),
]
MODE_CHOICES = [
    SelectChoice("discover", _l("Let the model find how many topics there are")),
    SelectChoice("fixed", _l("I choose the number of topics")),
]
MIN_TOPICS = 2


class TopicRunForm(FlaskForm):
    """What the planner chooses for a topic run."""

    embedder = RadioField(
        _l("Language model"),
        choices=EMBEDDER_CHOICES,
        default="multilingual",
        validators=[InputRequired(message=_l("Choose a language model."))],
    )
    mode = RadioField(
        _l("Number of topics"),
        choices=MODE_CHOICES,
        default="discover",
        validators=[InputRequired(message=_l("Choose how the number of topics is set."))],
    )
    n_topics = IntegerField(
        _l("How many topics"),
        validators=[lambda form, field: form.require_number(field), Optional()],
        render_kw={"inputmode": "numeric", "min": MIN_TOPICS},
    )

    #: Surveys only: whose answers to analyse (the view fills the choices; a hearing has none).
    questions = SelectMultipleField(
        _l("Answers to the questions"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args: Any, questions: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.n_topics.render_kw = {**(self.n_topics.render_kw or {}), "max": self.max_topics}
        self.questions.choices = [SelectChoice(value, label) for value, label in (questions or [])]

    def validate_questions(self, field: SelectMultipleField) -> None:
        if field.choices and not field.data:
            raise ValidationError(_("Choose at least one question."))

    def chosen_questions(self) -> list[int] | None:
        return [int(value) for value in self.questions.data or []] if self.questions.choices else None

    @property
    def max_topics(self) -> int:
        return int(current_app.config["INSIGHT_MAX_TOPICS"])

    def require_number(self, field: IntegerField) -> None:
        """A number is needed only when the planner chooses the number (Optional ends the checks otherwise)."""
        if self.mode.data == "fixed" and not (field.raw_data and field.raw_data[0].strip()):
            raise StopValidation(_("Enter how many topics you want."))

    def validate_n_topics(self, field: IntegerField) -> None:
        if self.mode.data != "fixed" or field.data is None:
            return
        if not MIN_TOPICS <= field.data <= self.max_topics:
            raise ValidationError(_("Choose between %(min)d and %(max)d topics.", min=MIN_TOPICS, max=self.max_topics))

    def chosen_topics(self) -> int | None:
        return int(self.n_topics.data) if self.mode.data == "fixed" and self.n_topics.data is not None else None


class RenameTopicForm(FlaskForm):
    label = StringField(
        _l("New name"),
        validators=[
            InputRequired(message=_l("Give the topic a name.")),
            Length(max=MAX_LABEL, message=_l("At most %(max)d characters.", max=MAX_LABEL)),
        ],
    )

    def validate_label(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("Give the topic a name."))


class MergeTopicForm(FlaskForm):
    into = SelectField(_l("Merge into"), validators=[InputRequired(message=_l("Choose a topic to merge into."))])

    def __init__(self, *args: Any, targets: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.into.choices = [SelectChoice(key, label) for key, label in (targets or [])]


class ConfirmForm(FlaskForm):
    """Split, hide and undo carry no fields beyond the CSRF token."""
