"""The planner's report composer: sections, own texts per language, theme, districts and breakdown."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from civic.consultations.forms import MultiCheckboxField
from civic.consultations.models import Consultation
from civic.reports.models import Report, Section, Theme
from civic.reports.publishing import BREAKDOWNS, MAX_TEXT, sections_for
from civic.reports.summaries import THEME_LABELS, dimension_label, section_label

LANGUAGES = ("nb", "nn", "en")
TEXTS = ("what_we_heard", "next_steps")
_TEXT_LENGTH = Length(max=MAX_TEXT, message=_l("A text may be at most %(max)d characters long."))


class ReportForm(FlaskForm):
    """One form for every compose action: Save, Publish and Unpublish all save what was typed first."""

    #: Marks a post from this form: a bare POST to publish (a script, another page's button) saves nothing.
    compose = HiddenField(default="1")
    sections = MultiCheckboxField(_l("Sections to show"), choices=[])
    what_we_heard_nb = TextAreaField(_l("What we heard (Bokmål)"), validators=[Optional(), _TEXT_LENGTH])
    what_we_heard_nn = TextAreaField(_l("What we heard (Nynorsk)"), validators=[Optional(), _TEXT_LENGTH])
    what_we_heard_en = TextAreaField(_l("What we heard (English)"), validators=[Optional(), _TEXT_LENGTH])
    next_steps_nb = TextAreaField(_l("What happens next (Bokmål)"), validators=[Optional(), _TEXT_LENGTH])
    next_steps_nn = TextAreaField(_l("What happens next (Nynorsk)"), validators=[Optional(), _TEXT_LENGTH])
    next_steps_en = TextAreaField(_l("What happens next (English)"), validators=[Optional(), _TEXT_LENGTH])
    theme = SelectField(_l("Theme"), choices=[])
    districts = MultiCheckboxField(_l("Districts the consultation concerns"), choices=[])
    breakdown = SelectField(_l("Break the results down by"), choices=[])

    def setup(self, consultation: Consultation, districts: list[str]) -> ReportForm:
        """Fill the choices: the consultation kind's sections, the themes, the districts seen in its data."""
        self.consultation = consultation
        self.languages = [lang for lang in consultation.languages if lang in LANGUAGES] or ["nb"]
        self.sections.choices = [(s.value, section_label(s)) for s in sections_for(consultation)]
        self.theme.choices = [(t.value, str(THEME_LABELS[t])) for t in Theme]
        self.districts.choices = [(d, d) for d in districts]
        self.breakdown.choices = [(b, dimension_label(b) if b else str(_l("No breakdown"))) for b in BREAKDOWNS]
        return self

    def validate_sections(self, field: MultiCheckboxField) -> None:
        if not set(field.data or []) - {Section.HONESTY.value}:
            raise ValidationError(_l("Choose at least one section to show besides “How to read these figures”."))

    def text_field(self, name: str, lang: str) -> Any:
        return self[f"{name}_{lang}"]

    def fill_from(self, report: Report) -> None:
        self.sections.data = list(report.sections)
        for name in TEXTS:
            for lang in LANGUAGES:
                self.text_field(name, lang).data = (getattr(report, name) or {}).get(lang, "")
        self.theme.data = report.theme
        self.districts.data = list(report.districts)
        self.breakdown.data = report.breakdown

    def to_fields(self) -> dict[str, Any]:
        """Return update_report's fields; texts of languages the consultation does not use are dropped."""
        fields: dict[str, Any] = {
            "sections": self.sections.data or [],
            "theme": self.theme.data,
            "districts": self.districts.data or [],
            "breakdown": self.breakdown.data or "",
        }
        for name in TEXTS:
            fields[name] = {lang: self.text_field(name, lang).data or "" for lang in self.languages}
        return fields
